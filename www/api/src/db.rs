//! The database: a SQLite file in WAL mode, its schema with the indexes of the plan's Phase 1, a
//! deterministic seed, and a small pool of connections (the plan's Phase 3, in miniature).

use rusqlite::{params, Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// What the seed makes: the plan's scale.
pub const COMPANIES: i64 = 2_000;
pub const CONTACTS: i64 = 10_000;
pub const PAYMENTS: i64 = 100_000;
pub const PROFILES: i64 = 50;

/// How long a writer waits for another one before SQLite gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const SCHEMA: &str = "
CREATE TABLE user_profiles (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE companies (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, industry TEXT NOT NULL, city TEXT NOT NULL,
  owner_id INTEGER NOT NULL REFERENCES user_profiles(id), created_at TEXT NOT NULL);
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL REFERENCES companies(id),
  name TEXT NOT NULL, email TEXT NOT NULL, title TEXT NOT NULL);
CREATE TABLE payments (
  id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL REFERENCES companies(id),
  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0), status TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES user_profiles(id), created_at TEXT NOT NULL);
-- Phase 1: company lookups, payments by company and date, contacts by company.
CREATE INDEX companies_by_name ON companies(name COLLATE NOCASE);
CREATE INDEX payments_by_company_date ON payments(company_id, created_at DESC, id DESC);
CREATE INDEX contacts_by_company ON contacts(company_id);
";

const INDUSTRIES: [&str; 8] = [
    "Software",
    "Retail",
    "Logistics",
    "Health",
    "Finance",
    "Energy",
    "Media",
    "Manufacturing",
];
const CITIES: [&str; 10] = [
    "Berlin", "Lisbon", "Austin", "Toronto", "Osaka", "Nairobi", "Lyon", "Denver", "Porto", "Leeds",
];
const FIRST: [&str; 12] = [
    "Ada", "Ben", "Chloe", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena",
];
const LAST: [&str; 10] = [
    "Moreau", "Okafor", "Silva", "Tanaka", "Novak", "Berg", "Costa", "Reyes", "Khan", "Weber",
];
const WORDS: [&str; 12] = [
    "Acme", "Blue", "North", "Apex", "Cedar", "Summit", "Harbor", "Vertex", "Orbit", "Maple",
    "Iron", "Nova",
];
const KINDS: [&str; 6] = ["Labs", "Group", "Systems", "Partners", "Works", "Holdings"];
const TITLES: [&str; 5] = ["CEO", "CFO", "Buyer", "Engineer", "Office manager"];
const STATUSES: [&str; 3] = ["paid", "paid", "pending"];

/// splitmix64: the same seed gives the same database, on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// An ISO date-time `days_ago` days and some seconds before the seed's fixed "now".
fn timestamp(rng: &mut Rng, max_days: u64) -> String {
    // 2026-11-30T00:00:00Z, fixed so that the seed does not depend on when it runs.
    const NOW: i64 = 1_795_996_800;
    let seconds = NOW - rng.below(max_days * 86_400) as i64;
    format_time(seconds)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, Howard Hinnant's).
pub fn format_time(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Creates the schema and fills it from `seed`.
pub fn seed(conn: &mut Connection, seed: u64) -> rusqlite::Result<()> {
    let mut rng = Rng(seed);
    let tx = conn.transaction()?;
    tx.execute_batch(SCHEMA)?;
    {
        let mut profile = tx.prepare("INSERT INTO user_profiles VALUES (?1, ?2, ?3, ?4)")?;
        for id in 1..=PROFILES {
            let (first, last) = (rng.pick(&FIRST), rng.pick(&LAST));
            let role = if id <= 5 { "manager" } else { "sales rep" };
            profile.execute(params![
                id,
                format!("{first} {last}"),
                format!(
                    "{}.{}{id}@crm.example",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
                role
            ])?;
        }
        let mut company = tx.prepare("INSERT INTO companies VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        for id in 1..=COMPANIES {
            let name = format!("{} {} {id}", rng.pick(&WORDS), rng.pick(&KINDS));
            let owner = 1 + rng.below(PROFILES as u64) as i64;
            company.execute(params![
                id,
                name,
                rng.pick(&INDUSTRIES),
                rng.pick(&CITIES),
                owner,
                timestamp(&mut rng, 2_000)
            ])?;
        }
        let mut contact = tx.prepare("INSERT INTO contacts VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for id in 1..=CONTACTS {
            let company_id = 1 + rng.below(COMPANIES as u64) as i64;
            let (first, last) = (rng.pick(&FIRST), rng.pick(&LAST));
            contact.execute(params![
                id,
                company_id,
                format!("{first} {last}"),
                format!("{}@company{company_id}.example", first.to_lowercase()),
                rng.pick(&TITLES)
            ])?;
        }
        let mut payment = tx.prepare("INSERT INTO payments VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        for id in 1..=PAYMENTS {
            // Skewed: u³ puts most payments on the first companies (company 1 gets thousands).
            let company_id = 1 + (rng.unit().powi(3) * COMPANIES as f64) as i64;
            let amount = 1_000 + rng.below(500_000) as i64;
            let creator = 1 + rng.below(PROFILES as u64) as i64;
            payment.execute(params![
                id,
                company_id,
                amount,
                rng.pick(&STATUSES),
                creator,
                timestamp(&mut rng, 730)
            ])?;
        }
    }
    tx.commit()
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")
}

/// Opens `path`, creating and seeding it on first start; WAL, so that readers never wait for a
/// writer and concurrent writers queue instead of corrupting the file.
pub fn open_or_seed(path: &Path, seed_value: u64) -> rusqlite::Result<bool> {
    let fresh = !path.exists();
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    configure(&conn)?;
    let seeded: bool = conn.query_row(
        "SELECT count(*) = 0 FROM sqlite_master WHERE name = 'companies'",
        [],
        |r| r.get(0),
    )?;
    if seeded {
        seed(&mut conn, seed_value)?;
    }
    Ok(fresh || seeded)
}

/// A few open connections, handed out one request at a time.
#[derive(Debug)]
pub struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Pool {
    pub fn new(path: &Path) -> Pool {
        Pool {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `work` on a connection of the pool (a new one when all are busy).
    pub fn with<T>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let taken = self.idle.lock().map(|mut idle| idle.pop()).unwrap_or(None);
        let mut conn = match taken {
            Some(conn) => conn,
            None => {
                let conn = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&conn)?;
                conn
            }
        };
        let result = work(&mut conn);
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
        result
    }
}
