//! The model as bytes, for keeping it across page loads. The body is compact (each string once,
//! then by reference) and bounded: the most recently used contexts go first, and encoding stops
//! where the byte limit would be passed. Decoding trusts nothing: every count, index and number is
//! checked, and anything off refuses the whole model (the engine frames it with a seal and a
//! checksum, and discards what fails).

use super::model::{Access, Context, ContextKey, Model, Source, Successor, ORDER};
use super::model::{DECAY_AT, FORGET_BELOW, MAX_CONTEXTS, MAX_SUCCESSORS};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

/// The body's format: a model of another format is dropped, never misread.
pub const BODY_FORMAT: u8 = 1;
/// Parameters one successor may carry (keys have far fewer segments in practice).
const MAX_PARAMS: usize = 32;
/// Bytes of one string: a key's 1,024 UTF-16 units are at most 3,072 bytes of UTF-8.
const MAX_STRING: usize = 3 * 1024;

/// Why a body was refused.
pub type Refusal = &'static str;

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn varint(&mut self, mut n: u64) {
        loop {
            let byte = (n & 0x7F) as u8;
            n >>= 7;
            if n == 0 {
                self.out.push(byte);
                return;
            }
            self.out.push(byte | 0x80);
        }
    }

    fn f32(&mut self, v: f32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    /// A string the first time (0, length, bytes), its index + 1 after.
    fn string(&mut self, table: &mut HashMap<Rc<str>, u64>, s: &Rc<str>) {
        if let Some(&at) = table.get(s) {
            self.varint(at + 1);
            return;
        }
        let next = table.len() as u64;
        table.insert(s.clone(), next);
        self.varint(0);
        self.varint(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    table: Vec<Rc<str>>,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, Refusal> {
        let b = *self.bytes.get(self.at).ok_or("truncated")?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, Refusal> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err("varint too long")
    }

    fn count(&mut self, max: usize) -> Result<usize, Refusal> {
        let n = self.varint()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= max)
            .ok_or("count out of range")
    }

    fn f32(&mut self) -> Result<f32, Refusal> {
        let end = self.at.checked_add(4).ok_or("truncated")?;
        let raw = self.bytes.get(self.at..end).ok_or("truncated")?;
        self.at = end;
        let v = f32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err("count is not a finite positive number")
        }
    }

    fn string(&mut self) -> Result<Rc<str>, Refusal> {
        let reference = self.varint()?;
        if reference != 0 {
            let at = usize::try_from(reference - 1).map_err(|_| "bad string reference")?;
            return self.table.get(at).cloned().ok_or("bad string reference");
        }
        let len = self.count(MAX_STRING)?;
        let end = self.at.checked_add(len).ok_or("truncated")?;
        let raw = self.bytes.get(self.at..end).ok_or("truncated")?;
        self.at = end;
        let s: Rc<str> = Rc::from(std::str::from_utf8(raw).map_err(|_| "string is not UTF-8")?);
        self.table.push(s.clone());
        Ok(s)
    }
}

fn write_context(
    w: &mut Writer,
    table: &mut HashMap<Rc<str>, u64>,
    key: &ContextKey,
    context: &Context,
) {
    match key {
        ContextKey::Order1(a) => {
            w.out.push(0);
            w.string(table, a);
        }
        ContextKey::Order2(a, b) => {
            w.out.push(1);
            w.string(table, a);
            w.string(table, b);
        }
        ContextKey::Concrete(k) => {
            w.out.push(2);
            w.string(table, k);
        }
    }
    w.varint(context.used);
    w.f32(context.total);
    w.varint(context.successors.len() as u64);
    for (successor, count) in &context.successors {
        w.string(table, &successor.template);
        w.f32(*count);
        w.varint(successor.params.len() as u64);
        for source in &successor.params {
            match source {
                Source::Recent { back, param } => w.out.extend_from_slice(&[0, *back, *param]),
                Source::Literal(value) => {
                    w.out.push(1);
                    w.string(table, value);
                }
            }
        }
    }
}

fn read_context(r: &mut Reader) -> Result<(ContextKey, Context), Refusal> {
    let key = match r.byte()? {
        0 => ContextKey::Order1(r.string()?),
        1 => ContextKey::Order2(r.string()?, r.string()?),
        2 => ContextKey::Concrete(r.string()?),
        _ => return Err("unknown context kind"),
    };
    let used = r.varint()?;
    let total = r.f32()?;
    // Counts halve once the total passes DECAY_AT; a larger one was never written.
    if total > DECAY_AT + 1.0 {
        return Err("a context counts more than the model ever does");
    }
    let n = r.count(MAX_SUCCESSORS)?;
    let mut successors = Vec::with_capacity(n);
    for _ in 0..n {
        let template = r.string()?;
        let count = r.f32()?;
        // Successors that halve below FORGET_BELOW are dropped: a smaller count was never written.
        if count < FORGET_BELOW || count > total * (1.0 + 1e-4) {
            return Err("a successor's count is out of range");
        }
        let params_n = r.count(MAX_PARAMS)?;
        let mut params = Vec::with_capacity(params_n);
        for _ in 0..params_n {
            params.push(match r.byte()? {
                0 => {
                    let (back, param) = (r.byte()?, r.byte()?);
                    if usize::from(back) >= ORDER {
                        return Err("a parameter refers beyond the context");
                    }
                    Source::Recent { back, param }
                }
                1 => Source::Literal(r.string()?),
                _ => return Err("unknown parameter source"),
            });
        }
        if template.split(':').filter(|s| *s == "{}").count() != params.len() {
            return Err("a template's parameters do not match it");
        }
        successors.push((Successor { template, params }, count));
    }
    Ok((
        key,
        Context {
            successors,
            total,
            used,
        },
    ))
}

impl Model {
    /// The model as at most `limit` bytes (least recently used contexts left out when it would
    /// be larger).
    pub fn encode(&self, limit: usize) -> Vec<u8> {
        let mut table = HashMap::new();
        let mut head = Writer::default();
        head.out.push(BODY_FORMAT);
        head.varint(self.tick);
        head.varint(self.last_at.map_or(0, |at| at.saturating_add(1)));
        head.varint(self.recent.len() as u64);
        for access in &self.recent {
            head.string(&mut table, &access.key);
        }
        let mut order: Vec<(&ContextKey, &Context)> = self.contexts.iter().collect();
        crate::core::sort::sort_by_key(&mut order, |(_, c)| std::cmp::Reverse(c.used));
        let mut body = Writer::default();
        let mut kept = 0u64;
        // Room for the context count's varint.
        let room = limit.saturating_sub(head.out.len() + 10);
        for (key, context) in order {
            let mut one = Writer::default();
            write_context(&mut one, &mut table, key, context);
            if body.out.len() + one.out.len() > room {
                // Strings this context added to the table are referenced by nothing after it.
                break;
            }
            body.out.extend_from_slice(&one.out);
            kept += 1;
        }
        head.varint(kept);
        head.out.extend_from_slice(&body.out);
        head.out
    }

    /// A model from `encode`'s bytes; any inconsistency refuses it whole.
    pub fn decode(bytes: &[u8]) -> Result<Model, Refusal> {
        let mut r = Reader {
            bytes,
            at: 0,
            table: Vec::new(),
        };
        if r.byte()? != BODY_FORMAT {
            return Err("unknown model format");
        }
        let tick = r.varint()?;
        let last_at = r.varint()?.checked_sub(1);
        let n = r.count(ORDER)?;
        let mut recent = VecDeque::with_capacity(n);
        for _ in 0..n {
            recent.push_back(Access::of(&r.string()?));
        }
        let n = r.count(MAX_CONTEXTS)?;
        let mut contexts = HashMap::with_capacity(n);
        for _ in 0..n {
            let (key, context) = read_context(&mut r)?;
            if context.used > tick {
                return Err("a context is newer than the model");
            }
            if contexts.insert(key, context).is_some() {
                return Err("a context appears twice");
            }
        }
        if r.at != bytes.len() {
            return Err("trailing bytes");
        }
        Ok(Model {
            contexts,
            recent,
            last_at,
            tick,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trained() -> Model {
        let mut model = Model::default();
        let mut now = 0;
        for id in 0..40 {
            for key in [
                "companies:list".to_string(),
                format!("company:{id}"),
                format!("payments:company:{id}:page:1"),
                "dashboard".to_string(),
            ] {
                now += 1_000;
                model.observe(&key, now);
            }
        }
        model.observe("company:7", now + 1_000);
        model
    }

    #[test]
    fn a_model_comes_back_predicting_as_it_did() {
        let model = trained();
        let bytes = model.encode(64 * 1024);
        let back = Model::decode(&bytes).expect("its own bytes decode");
        assert_eq!(back.predict(), model.predict());
        assert_eq!(back.contexts(), model.contexts());
        let again = Model::decode(&back.encode(64 * 1024)).unwrap();
        assert_eq!(again.predict(), model.predict(), "a second round trip too");
        assert_eq!(
            back.predict()[0].key,
            "payments:company:7:page:1",
            "{:?}",
            back.predict()
        );
    }

    #[test]
    fn a_limit_keeps_the_most_recent_contexts() {
        let model = trained();
        let full = model.encode(usize::MAX);
        let small = model.encode(full.len() / 3);
        assert!(
            small.len() <= full.len() / 3,
            "{} > {}",
            small.len(),
            full.len() / 3
        );
        let back = Model::decode(&small).unwrap();
        assert!(back.contexts() < model.contexts() && back.contexts() > 0);
        // The freshest knowledge (what follows a company) survives the cut.
        assert_eq!(back.predict()[0].key, "payments:company:7:page:1");
        assert_eq!(Model::decode(&model.encode(0)).map(|m| m.contexts()), Ok(0));
    }

    #[test]
    fn every_damage_is_refused_or_harmless() {
        let bytes = trained().encode(64 * 1024);
        assert!(Model::decode(&[]).is_err());
        assert!(Model::decode(&[BODY_FORMAT + 1]).is_err());
        for cut in 0..bytes.len() {
            assert!(Model::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Model::decode(&longer).is_err());
    }

    proptest::proptest! {
        /// Random bytes never panic the decoder, and what it accepts predicts well-formed keys.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            if let Ok(model) = Model::decode(&bytes) {
                for p in model.predict() {
                    proptest::prop_assert!(p.probability > 0.0 && p.probability <= 1.0 + 1e-3);
                }
            }
        }

        /// Flipping any byte of a real model never panics, and never yields probabilities above 1.
        #[test]
        fn edited_models_never_mislead(at in 0usize..10_000, to in proptest::prelude::any::<u8>()) {
            let mut bytes = trained().encode(64 * 1024);
            let at = at % bytes.len();
            bytes[at] = to;
            if let Ok(model) = Model::decode(&bytes) {
                for p in model.predict() {
                    proptest::prop_assert!(p.probability > 0.0 && p.probability <= 1.0 + 1e-3);
                }
            }
        }
    }
}
