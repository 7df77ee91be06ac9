//! Options of API.md as they arrive (loosely typed, from JavaScript) and as the engine uses them
//! (validated). Every rule about what an option may be lives here, so it is tested natively.

use crate::core::error::{check_key, Error, Result};

/// A mebibyte.
pub const MIB: u64 = 1024 * 1024;
/// Largest integer a JavaScript number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
const MAX_NAMESPACE_UNITS: usize = 128;

/// The `tier` of `SetOptions`: a tier, or the placement policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TierChoice {
    /// The placement policy: by stored size.
    #[default]
    Auto,
    /// Memory only, never persisted.
    Memory,
    /// localStorage.
    Local,
    /// IndexedDB.
    IndexedDb,
}

impl TierChoice {
    /// The choice named as API.md names it: 'auto', 'memory', 'local' or 'indexeddb'.
    pub fn parse(name: &str) -> Result<TierChoice> {
        match name {
            "auto" => Ok(TierChoice::Auto),
            "memory" => Ok(TierChoice::Memory),
            "local" => Ok(TierChoice::Local),
            "indexeddb" => Ok(TierChoice::IndexedDb),
            other => Err(Error::InvalidOption(format!(
                "tier must be 'auto', 'memory', 'local' or 'indexeddb', got {other:?}"
            ))),
        }
    }
}

/// `CacheOptions` as given (each field read from the JS object of the same name, camelCased).
#[derive(Debug, Clone, Default)]
pub struct CacheOptionsInput {
    /// `namespace`.
    pub namespace: Option<String>,
    /// `version`.
    pub version: Option<f64>,
    /// `memoryBytes`.
    pub memory_bytes: Option<f64>,
    /// `localStorageBytes`.
    pub local_storage_bytes: Option<f64>,
    /// `indexedDbBytes`.
    pub indexed_db_bytes: Option<f64>,
    /// `largeEntryBytes`.
    pub large_entry_bytes: Option<f64>,
    /// `compressAboveBytes`.
    pub compress_above_bytes: Option<f64>,
    /// `defaultTtlMs`.
    pub default_ttl_ms: Option<f64>,
    /// `crossTab`.
    pub cross_tab: Option<bool>,
    /// `predict` (parsed; preloading is not built yet).
    pub predict: Option<bool>,
}

/// `CacheOptions` with defaults applied and every value checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CacheConfig {
    /// Isolates storage keys, the database and the channel.
    pub namespace: String,
    /// Entries of another version are purged.
    pub version: u64,
    /// Budget of the memory tier, bytes of JSON text.
    pub memory_bytes: u64,
    /// Budget of localStorage, as the browser counts (2 bytes per UTF-16 unit, keys included).
    pub local_storage_bytes: u64,
    /// Budget of IndexedDB.
    pub indexed_db_bytes: u64,
    /// Above this stored size, `auto` places an entry in IndexedDB.
    pub large_entry_bytes: u64,
    /// Smaller payloads are stored uncompressed.
    pub compress_above_bytes: u64,
    /// The ttl of entries set without one.
    pub default_ttl_ms: Option<u64>,
    /// Whether other tabs hear of changes.
    pub cross_tab: bool,
    /// Whether preloading is asked for (not built yet: it changes nothing).
    pub predict: bool,
    /// This engine's id in the order of writes all tabs agree on (random in the browser); 0 lets
    /// the engine pick one.
    pub writer: u32,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheOptionsInput::default()
            .validate()
            .expect("the defaults are valid")
    }
}

/// A number for an error message, without float formatting (which costs the wasm build ~20 KB).
fn describe(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if v.fract() == 0.0 && v.abs() < 9e15 {
        (v as i64).to_string()
    } else {
        "a fraction".into()
    }
}

/// A non-negative whole number of bytes or a version; `min` is the smallest allowed.
fn whole(name: &str, value: Option<f64>, default: u64, min: u64) -> Result<u64> {
    let Some(v) = value else { return Ok(default) };
    if !v.is_finite() || v.fract() != 0.0 || v < min as f64 || v > MAX_SAFE {
        return Err(Error::InvalidOption(format!(
            "{name} must be a whole number of at least {min}, got {}",
            describe(v)
        )));
    }
    Ok(v as u64)
}

/// A duration in milliseconds: finite and not negative; fractions round up.
fn millis(name: &str, value: Option<f64>) -> Result<Option<u64>> {
    match value {
        None => Ok(None),
        Some(v) if (0.0..=MAX_SAFE).contains(&v) => Ok(Some(v.ceil() as u64)),
        Some(v) => Err(Error::InvalidOption(format!(
            "{name} must be a finite number of milliseconds, 0 or more, got {}",
            describe(v)
        ))),
    }
}

impl CacheOptionsInput {
    /// Checks every option against API.md and fills in the defaults.
    pub fn validate(self) -> Result<CacheConfig> {
        let namespace = self.namespace.unwrap_or_else(|| "default".into());
        let units = namespace.encode_utf16().count();
        if units == 0 || units > MAX_NAMESPACE_UNITS {
            return Err(Error::InvalidOption(format!(
                "namespace must be 1 to {MAX_NAMESPACE_UNITS} characters long"
            )));
        }
        Ok(CacheConfig {
            namespace,
            version: whole("version", self.version, 1, 0)?,
            memory_bytes: whole("memoryBytes", self.memory_bytes, 50 * MIB, 1)?,
            local_storage_bytes: whole("localStorageBytes", self.local_storage_bytes, 4 * MIB, 0)?,
            indexed_db_bytes: whole("indexedDbBytes", self.indexed_db_bytes, 256 * MIB, 0)?,
            large_entry_bytes: whole("largeEntryBytes", self.large_entry_bytes, 64 * 1024, 0)?,
            compress_above_bytes: whole("compressAboveBytes", self.compress_above_bytes, 512, 0)?,
            default_ttl_ms: millis("defaultTtlMs", self.default_ttl_ms)?,
            cross_tab: self.cross_tab.unwrap_or(true),
            predict: self.predict.unwrap_or(true),
            writer: 0,
        })
    }
}

/// `SetOptions` as given (each field read from the JS object of the same name, camelCased).
#[derive(Debug, Clone, Default)]
pub struct SetOptionsInput {
    /// `ttlMs`.
    pub ttl_ms: Option<f64>,
    /// `staleMs`.
    pub stale_ms: Option<f64>,
    /// `tier`.
    pub tier: Option<TierChoice>,
    /// `dependsOn`.
    pub depends_on: Option<Vec<String>>,
    /// `tags`.
    pub tags: Option<Vec<String>>,
}

/// `SetOptions`, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetOptions {
    /// After this, reads miss and the entry is purged.
    pub ttl_ms: Option<u64>,
    /// After this, the entry is stale: served, and reloaded in the background by `getOrLoad`.
    pub stale_ms: Option<u64>,
    /// Where the entry may go.
    pub tier: TierChoice,
    /// Keys or tags the entry is derived from.
    pub depends_on: Vec<String>,
    /// Labels that `invalidate(tag)` removes it by.
    pub tags: Vec<String>,
}

fn names(option: &str, list: Option<Vec<String>>) -> Result<Vec<String>> {
    let mut list = list.unwrap_or_default();
    for name in &list {
        check_key(name).map_err(|e| Error::InvalidOption(format!("{option}: {e}")))?;
    }
    list.sort();
    list.dedup();
    Ok(list)
}

impl SetOptionsInput {
    /// Checks every option against API.md.
    pub fn validate(self) -> Result<SetOptions> {
        Ok(SetOptions {
            ttl_ms: millis("ttlMs", self.ttl_ms)?,
            stale_ms: millis("staleMs", self.stale_ms)?,
            tier: self.tier.unwrap_or_default(),
            depends_on: names("dependsOn", self.depends_on)?,
            tags: names("tags", self.tags)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_api() {
        let c = CacheConfig::default();
        assert_eq!(c.namespace, "default");
        assert_eq!(c.version, 1);
        assert_eq!(c.memory_bytes, 50 * MIB);
        assert_eq!(c.local_storage_bytes, 4 * MIB);
        assert_eq!(c.indexed_db_bytes, 256 * MIB);
        assert_eq!(c.large_entry_bytes, 64 * 1024);
        assert_eq!(c.compress_above_bytes, 512);
        assert_eq!(c.default_ttl_ms, None);
        assert!(c.cross_tab && c.predict);
    }

    #[test]
    fn bad_cache_options_are_refused() {
        let bad = [
            CacheOptionsInput {
                namespace: Some(String::new()),
                ..Default::default()
            },
            CacheOptionsInput {
                version: Some(1.5),
                ..Default::default()
            },
            CacheOptionsInput {
                version: Some(-1.0),
                ..Default::default()
            },
            CacheOptionsInput {
                memory_bytes: Some(0.0),
                ..Default::default()
            },
            CacheOptionsInput {
                memory_bytes: Some(f64::INFINITY),
                ..Default::default()
            },
            CacheOptionsInput {
                local_storage_bytes: Some(f64::NAN),
                ..Default::default()
            },
            CacheOptionsInput {
                default_ttl_ms: Some(-5.0),
                ..Default::default()
            },
        ];
        for input in bad {
            let err = input.clone().validate().unwrap_err();
            assert_eq!(err.code(), "INVALID_OPTION", "{input:?}");
        }
    }

    #[test]
    fn tiers_are_named_as_the_api_names_them() {
        assert_eq!(
            TierChoice::parse("indexeddb").unwrap(),
            TierChoice::IndexedDb
        );
        assert_eq!(TierChoice::parse("auto").unwrap(), TierChoice::Auto);
        assert_eq!(
            TierChoice::parse("disk").unwrap_err().code(),
            "INVALID_OPTION"
        );
        assert!(TierChoice::parse("IndexedDB").is_err());
    }

    #[test]
    fn set_options_are_checked_and_normalized() {
        let ok = SetOptionsInput {
            ttl_ms: Some(1.2),
            tags: Some(vec!["b".into(), "a".into(), "b".into()]),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.ttl_ms, Some(2));
        assert_eq!(ok.tags, ["a", "b"]);
        assert_eq!(ok.tier, TierChoice::Auto);
        for bad in [
            SetOptionsInput {
                ttl_ms: Some(-1.0),
                ..Default::default()
            },
            SetOptionsInput {
                stale_ms: Some(f64::NAN),
                ..Default::default()
            },
            SetOptionsInput {
                depends_on: Some(vec![String::new()]),
                ..Default::default()
            },
            SetOptionsInput {
                tags: Some(vec!["x".repeat(2000)]),
                ..Default::default()
            },
        ] {
            assert_eq!(bad.validate().unwrap_err().code(), "INVALID_OPTION");
        }
    }
}
