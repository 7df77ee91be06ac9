//! Options objects from JavaScript, read field by field into the core's inputs. A field of the
//! wrong type is `INVALID_OPTION` with its name; `undefined` and `null` mean "not given".

use super::convert;
use crate::core::engine::options::{CacheOptionsInput, PredictInput, SetOptionsInput, TierChoice};
use crate::core::error::{Error, Result};
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};

struct Fields(JsValue);

impl Fields {
    /// `undefined`/`null` reads as an empty object; anything but a plain object is refused.
    fn of(value: JsValue) -> Result<Fields> {
        if !value.is_undefined()
            && !value.is_null()
            && (!value.is_object() || Array::is_array(&value))
        {
            return Err(Error::InvalidOption("options must be an object".into()));
        }
        Ok(Fields(value))
    }

    fn get(&self, name: &'static str) -> Option<JsValue> {
        if self.0.is_undefined() || self.0.is_null() {
            return None;
        }
        let value = Reflect::get(&self.0, convert::js_name(name)).ok()?;
        (!value.is_undefined() && !value.is_null()).then_some(value)
    }

    fn wrong(name: &str, expected: &str) -> Error {
        Error::InvalidOption(format!("{name} must be {expected}"))
    }

    fn number(&self, name: &'static str) -> Result<Option<f64>> {
        self.get(name)
            .map(|v| v.as_f64().ok_or_else(|| Self::wrong(name, "a number")))
            .transpose()
    }

    fn boolean(&self, name: &'static str) -> Result<Option<bool>> {
        self.get(name)
            .map(|v| v.as_bool().ok_or_else(|| Self::wrong(name, "a boolean")))
            .transpose()
    }

    fn string(&self, name: &'static str) -> Result<Option<String>> {
        self.get(name)
            .map(|v| well_formed(&v, name, "a string"))
            .transpose()
    }

    fn strings(&self, name: &'static str) -> Result<Option<Vec<String>>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let list: Array = value
            .dyn_into()
            .map_err(|_| Self::wrong(name, "an array of strings"))?;
        list.iter()
            .map(|item| well_formed(&item, name, "an array of strings"))
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }
}

/// A string option, refused when it holds a lone surrogate: converting it would replace the
/// surrogate with U+FFFD, and two different names would then share storage or match each other.
fn well_formed(value: &JsValue, name: &str, what: &str) -> Result<String> {
    let wrong = || Fields::wrong(name, what);
    let text = value.dyn_ref::<js_sys::JsString>().ok_or_else(wrong)?;
    if !text.is_valid_utf16() {
        return Err(Error::InvalidOption(format!(
            "{name} holds a lone surrogate"
        )));
    }
    text.as_string().ok_or_else(wrong)
}

pub fn cache_options(value: JsValue) -> Result<CacheOptionsInput> {
    let f = Fields::of(value)?;
    Ok(CacheOptionsInput {
        namespace: f.string("namespace")?,
        version: f.number("version")?,
        memory_bytes: f.number("memoryBytes")?,
        local_storage_bytes: f.number("localStorageBytes")?,
        indexed_db_bytes: f.number("indexedDbBytes")?,
        large_entry_bytes: f.number("largeEntryBytes")?,
        compress_above_bytes: f.number("compressAboveBytes")?,
        default_ttl_ms: f.number("defaultTtlMs")?,
        cross_tab: f.boolean("crossTab")?,
        devtools: f.boolean("devtools")?,
        predict: predict(f.get("predict"))?,
    })
}

/// `predict`: a boolean, a mode's name, or a `PredictOptions` object.
fn predict(value: Option<JsValue>) -> Result<Option<PredictInput>> {
    let Some(value) = value else { return Ok(None) };
    if let Some(on) = value.as_bool() {
        return Ok(Some(PredictInput::Switch(on)));
    }
    if value.is_string() {
        return Ok(Some(PredictInput::Named(well_formed(
            &value, "predict", "a string",
        )?)));
    }
    let wrong = || Fields::wrong("predict", "a boolean, 'shadow' or a PredictOptions object");
    if !value.is_object() || Array::is_array(&value) {
        return Err(wrong());
    }
    let f = Fields::of(value)?;
    Ok(Some(PredictInput::Options {
        mode: f.string("mode")?,
        threshold: f.number("threshold")?,
        max_per_trigger: f.number("maxPerTrigger")?,
        max_concurrent: f.number("maxConcurrent")?,
        bytes_per_minute: f.number("bytesPerMinute")?,
    }))
}

pub fn set_options(value: JsValue) -> Result<SetOptionsInput> {
    let f = Fields::of(value)?;
    Ok(SetOptionsInput {
        ttl_ms: f.number("ttlMs")?,
        stale_ms: f.number("staleMs")?,
        tier: f
            .string("tier")?
            .map(|name| TierChoice::parse(&name))
            .transpose()?,
        depends_on: f.strings("dependsOn")?,
        tags: f.strings("tags")?,
    })
}
