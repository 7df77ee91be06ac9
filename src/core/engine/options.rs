//! Options of API.md as they arrive (loosely typed, from JavaScript) and as the engine uses them
//! (validated). Every rule about what an option may be lives here, so it is tested natively.

use crate::core::error::{check_key, quoted, Error, Result};
use crate::core::predict::{Mode, PredictConfig};

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
                "tier must be 'auto', 'memory', 'local' or 'indexeddb', got {}",
                quoted(other)
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
    /// `devtools`.
    pub devtools: Option<bool>,
    /// `predict`.
    pub predict: Option<PredictInput>,
}

/// `predict` as given: `true`/`false`, `'shadow'`, or a `PredictOptions` object.
#[derive(Debug, Clone, PartialEq)]
pub enum PredictInput {
    /// `true` (on with the defaults) or `false` (off).
    Switch(bool),
    /// A mode by name: `'shadow'` (API.md), or `'on'`/`'off'` as `PredictOptions.mode` names them.
    Named(String),
    /// A `PredictOptions` object.
    Options {
        /// `mode` ('on' when not given: the object asks for prediction).
        mode: Option<String>,
        /// `threshold`.
        threshold: Option<f64>,
        /// `maxPerTrigger`.
        max_per_trigger: Option<f64>,
        /// `maxConcurrent`.
        max_concurrent: Option<f64>,
        /// `bytesPerMinute`.
        bytes_per_minute: Option<f64>,
    },
}

fn mode(name: &str) -> Result<Mode> {
    match name {
        "on" => Ok(Mode::On),
        "shadow" => Ok(Mode::Shadow),
        "off" => Ok(Mode::Off),
        _ => Err(Error::InvalidOption(format!(
            "predict must be a boolean, 'on', 'shadow', 'off' or a PredictOptions object, got mode {}",
            quoted(name)
        ))),
    }
}

impl PredictInput {
    /// Checks `predict` against API.md: off unless asked for (a cache should not fetch what
    /// the app did not ask it to, unless told it may).
    pub fn validate(input: Option<PredictInput>) -> Result<PredictConfig> {
        let defaults = PredictConfig::default();
        let Some(input) = input else {
            return Ok(defaults);
        };
        let (mode, threshold, per_trigger, concurrent, bytes) = match input {
            PredictInput::Switch(on) => {
                let mode = if on { Mode::On } else { Mode::Off };
                (mode, None, None, None, None)
            }
            PredictInput::Named(name) => (mode(&name)?, None, None, None, None),
            PredictInput::Options {
                mode: name,
                threshold,
                max_per_trigger,
                max_concurrent,
                bytes_per_minute,
            } => {
                let mode = mode(name.as_deref().unwrap_or("on"))?;
                (
                    mode,
                    threshold,
                    max_per_trigger,
                    max_concurrent,
                    bytes_per_minute,
                )
            }
        };
        let threshold = match threshold {
            None => defaults.threshold,
            Some(t) if (0.0..=1.0).contains(&t) => t as f32,
            Some(t) => {
                return Err(Error::InvalidOption(format!(
                    "predict.threshold must be a probability from 0 to 1, got {}",
                    describe(t)
                )))
            }
        };
        let count = |name: &str, value: Option<f64>, default: u32| -> Result<u32> {
            let n = whole(name, value, u64::from(default), 1)?;
            u32::try_from(n).map_err(|_| Error::InvalidOption(format!("{name} is too large")))
        };
        Ok(PredictConfig {
            mode,
            threshold,
            max_per_trigger: count(
                "predict.maxPerTrigger",
                per_trigger,
                defaults.max_per_trigger,
            )?,
            max_concurrent: count("predict.maxConcurrent", concurrent, defaults.max_concurrent)?,
            bytes_per_minute: whole(
                "predict.bytesPerMinute",
                bytes,
                defaults.bytes_per_minute,
                0,
            )?,
        })
    }
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
    /// Whether the cache registers a handle with the page's devtools hook.
    pub devtools: bool,
    /// Predictive preloading.
    pub predict: PredictConfig,
    /// This engine's id in the order of writes all tabs agree on (random in the browser); 0 lets
    /// the engine pick one.
    pub writer: u32,
}

impl Default for CacheConfig {
    fn default() -> Self {
        // Not `expect`: formatting the error would bring Debug's machinery into the wasm.
        match CacheOptionsInput::default().validate() {
            Ok(config) => config,
            Err(_) => unreachable!("the defaults are valid"),
        }
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
            // A handle on the hook costs one object; events flow only while a panel listens.
            devtools: self.devtools.unwrap_or(true),
            predict: PredictInput::validate(self.predict)?,
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
    crate::core::sort::sort(&mut list);
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
        assert!(c.cross_tab);
        assert_eq!(c.predict, PredictConfig::default());
        assert_eq!(
            c.predict.mode,
            Mode::Off,
            "nothing is fetched unless asked for"
        );
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

    #[test]
    fn predict_takes_a_switch_a_mode_or_options() {
        let of = |input: PredictInput| PredictInput::validate(Some(input));
        assert_eq!(of(PredictInput::Switch(true)).unwrap().mode, Mode::On);
        assert_eq!(of(PredictInput::Switch(false)).unwrap().mode, Mode::Off);
        assert_eq!(
            of(PredictInput::Named("shadow".into())).unwrap().mode,
            Mode::Shadow
        );
        assert_eq!(of(PredictInput::Named("on".into())).unwrap().mode, Mode::On);
        let options =
            |mode: Option<&str>, threshold: Option<f64>, per: Option<f64>| PredictInput::Options {
                mode: mode.map(String::from),
                threshold,
                max_per_trigger: per,
                max_concurrent: None,
                bytes_per_minute: None,
            };
        let c = of(options(None, Some(0.5), Some(3.0))).unwrap();
        assert_eq!((c.mode, c.threshold, c.max_per_trigger), (Mode::On, 0.5, 3));
        assert_eq!(
            c.max_concurrent,
            crate::core::predict::plan::DEFAULT_MAX_CONCURRENT
        );
        assert_eq!(
            of(options(Some("off"), None, None)).unwrap().mode,
            Mode::Off
        );
        for bad in [
            PredictInput::Named("always".into()),
            options(Some("paused"), None, None),
            options(None, Some(1.5), None),
            options(None, Some(f64::NAN), None),
            options(None, None, Some(0.0)),
            options(None, None, Some(2.5)),
        ] {
            assert_eq!(
                of(bad.clone()).unwrap_err().code(),
                "INVALID_OPTION",
                "{bad:?}"
            );
        }
    }
}
