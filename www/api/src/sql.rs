//! Every SQL statement the API runs. Each answers with one JSON text built by SQLite itself, so
//! that one request of the optimized paths is one statement, however much it returns.

/// The companies whose name matches, a page of them, with the count of all that match.
pub const COMPANY_LIST: &str = "
SELECT json_object(
  'total', (SELECT count(*) FROM companies WHERE name LIKE ?1 ESCAPE '\\'),
  'companies', (SELECT coalesce(json_group_array(json_object('id', id, 'name', name, 'industry', industry, 'city', city)), json('[]'))
                FROM (SELECT id, name, industry, city FROM companies WHERE name LIKE ?1 ESCAPE '\\'
                      ORDER BY name COLLATE NOCASE, id LIMIT ?2 OFFSET ?3)))";

/// Legacy: the company row alone.
pub const LEGACY_COMPANY: &str = "
SELECT json_object('id', id, 'name', name, 'industry', industry, 'city', city, 'ownerId', owner_id, 'createdAt', created_at)
FROM companies WHERE id = ?1";

/// Legacy: the company's contacts (NULL when there is no such company).
pub const LEGACY_CONTACTS: &str = "
SELECT CASE WHEN EXISTS (SELECT 1 FROM companies WHERE id = ?1) THEN
  (SELECT coalesce(json_group_array(json_object('id', id, 'name', name, 'email', email, 'title', title)), json('[]'))
   FROM (SELECT * FROM contacts WHERE company_id = ?1 ORDER BY name, id)) END";

/// Legacy: the latest payments, with the creator's id only (the old hook then asked for each
/// creator's profile: the N+1).
pub const LEGACY_PAYMENTS: &str = "
SELECT CASE WHEN EXISTS (SELECT 1 FROM companies WHERE id = ?1) THEN
  (SELECT coalesce(json_group_array(json_object('id', id, 'amountCents', amount_cents, 'status', status, 'createdAt', created_at, 'createdBy', created_by)), json('[]'))
   FROM (SELECT * FROM payments WHERE company_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2)) END";

/// Legacy: one user profile.
pub const PROFILE: &str = "
SELECT json_object('id', id, 'name', name, 'email', email, 'role', role) FROM user_profiles WHERE id = ?1";

/// Optimized: the whole company page in one statement — company, owner, contacts, payment
/// summary, and the latest payments with their creators' names joined.
pub const COMPANY_VIEW: &str = "
WITH c AS (SELECT * FROM companies WHERE id = ?1),
owner AS (SELECT u.* FROM user_profiles u JOIN c ON u.id = c.owner_id),
contact_list AS (
  SELECT coalesce(json_group_array(json_object('id', id, 'name', name, 'email', email, 'title', title)), json('[]')) AS list
  FROM (SELECT * FROM contacts WHERE company_id = ?1 ORDER BY name, id)),
summary AS (
  SELECT count(*) AS n, coalesce(sum(amount_cents), 0) AS total, max(created_at) AS last
  FROM payments WHERE company_id = ?1),
latest AS (
  SELECT coalesce(json_group_array(json_object('id', id, 'amountCents', amount_cents, 'status', status, 'createdAt', created_at, 'createdBy', creator)), json('[]')) AS list
  FROM (SELECT p.id, p.amount_cents, p.status, p.created_at, u.name AS creator
        FROM payments p JOIN user_profiles u ON u.id = p.created_by
        WHERE p.company_id = ?1 ORDER BY p.created_at DESC, p.id DESC LIMIT ?2))
SELECT json_object(
  'company', json_object('id', c.id, 'name', c.name, 'industry', c.industry, 'city', c.city, 'createdAt', c.created_at),
  'owner', json_object('id', owner.id, 'name', owner.name, 'email', owner.email, 'role', owner.role),
  'contacts', json(contact_list.list),
  'payments', json_object('count', summary.n, 'totalCents', summary.total, 'lastAt', summary.last),
  'latestPayments', json(latest.list))
FROM c, owner, contact_list, summary, latest";

/// A PaymentsTable page: one statement whatever its size; `{order}` is one of `PAYMENT_ORDERS`.
pub const PAYMENTS_PAGE: &str = "
SELECT CASE WHEN EXISTS (SELECT 1 FROM companies WHERE id = ?1) THEN json_object(
  'page', ?2, 'size', ?3,
  'total', (SELECT count(*) FROM payments WHERE company_id = ?1),
  'rows', (SELECT coalesce(json_group_array(json_object('id', id, 'amountCents', amount_cents, 'status', status, 'createdAt', created_at, 'createdBy', creator)), json('[]'))
           FROM (SELECT p.id, p.amount_cents, p.status, p.created_at, u.name AS creator
                 FROM payments p JOIN user_profiles u ON u.id = p.created_by
                 WHERE p.company_id = ?1 ORDER BY {order} LIMIT ?3 OFFSET ?4))) END";

/// The sort orders a PaymentsTable may ask for, by name (never text from the request).
pub const PAYMENT_ORDERS: [(&str, &str); 4] = [
    ("date-desc", "p.created_at DESC, p.id DESC"),
    ("date-asc", "p.created_at ASC, p.id ASC"),
    ("amount-desc", "p.amount_cents DESC, p.id DESC"),
    ("amount-asc", "p.amount_cents ASC, p.id ASC"),
];

/// The dashboard: aggregates across every company (a payload of a few hundred KiB).
pub const DASHBOARD: &str = "
SELECT json_object(
  'companies', (SELECT count(*) FROM companies),
  'payments', (SELECT json_object('count', count(*), 'totalCents', coalesce(sum(amount_cents), 0)) FROM payments),
  'byIndustry', (SELECT json_group_array(json_object('industry', industry, 'companies', n, 'totalCents', total))
                 FROM (SELECT c.industry, count(DISTINCT c.id) AS n, coalesce(sum(p.amount_cents), 0) AS total
                       FROM companies c LEFT JOIN payments p ON p.company_id = c.id
                       GROUP BY c.industry ORDER BY total DESC, c.industry)),
  'byMonth', (SELECT json_group_array(json_object('month', month, 'count', n, 'totalCents', total))
              FROM (SELECT substr(created_at, 1, 7) AS month, count(*) AS n, sum(amount_cents) AS total
                    FROM payments GROUP BY month ORDER BY month)),
  'topCompanies', (SELECT json_group_array(json_object('id', id, 'name', name, 'industry', industry, 'city', city, 'payments', n, 'totalCents', total))
                   FROM (SELECT c.id, c.name, c.industry, c.city, count(*) AS n, sum(p.amount_cents) AS total
                         FROM payments p JOIN companies c ON c.id = p.company_id
                         GROUP BY c.id ORDER BY total DESC, c.id LIMIT 1000)))";

/// Recording a payment: the checks and the insert, in one transaction.
pub const COMPANY_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM companies WHERE id = ?1)";
pub const PROFILE_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM user_profiles WHERE id = ?1)";
pub const INSERT_PAYMENT: &str = "
INSERT INTO payments (company_id, amount_cents, status, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
RETURNING json_object('id', id, 'companyId', company_id, 'amountCents', amount_cents, 'status', status, 'createdBy', created_by, 'createdAt', created_at)";
