//! The wasm boundary in headless Chromium: values survive the persistent encoding, each error
//! code of API.md comes from the input that should produce it, and the cache works afterwards.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect, JSON};
use smartcache::core::format::text::utf16_units;
use smartcache::web::{pack_value, unpack_value, WasmCache};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod support;

fn open(options: &str) -> Result<WasmCache, JsValue> {
    WasmCache::open(js(options), support::platform())
}

/// Evaluates a JS expression (test fixtures are easiest to write as JS literals).
fn js(expr: &str) -> JsValue {
    Function::new_no_args(&format!("return ({expr});"))
        .call0(&JsValue::NULL)
        .expect("fixture evaluates")
}

fn code_of(err: JsValue) -> String {
    Reflect::get(&err, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_else(|| format!("no code on {err:?}"))
}

fn stringify(value: &JsValue) -> String {
    JSON::stringify(value).unwrap().as_string().unwrap()
}

const CORPUS: &str = r#"[
    null, true, false, 0, -0, 1, -1, 0.1, 1e-320, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308,
    9007199254740991, -9007199254740991, 2 ** 53 + 2, "", "plain", "quote \" backslash \\ slash /",
    "\u0000\u0001\u001f control", "héllo wörld — ünïcödé", "日本語のテキスト", "😀🎉👩‍👩‍👧‍👦 emoji and ZWJ",
    "\ud800 lone high", "\udfff lone low", "x".repeat(200000), [], {}, [[[[[[[[[[[]]]]]]]]]]],
    { nested: { deep: { deeper: { deepest: [1, { k: "v" }] } } } },
    Array.from({ length: 20000 }, (_, i) => ({ id: i, amount: i * 1.5, status: i % 3 ? "paid" : "open" })),
    { "": "empty key", "😀": "emoji key", "__proto__x": 1, "a.b": [null, true, "s"] },
    { company: { id: 42, name: "Acme GmbH", contacts: Array.from({ length: 50 }, (_, i) => ({ name: "Contact " + i, email: "c" + i + "@acme.test" })) } }
]"#;

#[wasm_bindgen_test]
fn json_corpus_survives_the_persistent_encoding() {
    let corpus: js_sys::Array = js(CORPUS).dyn_into().unwrap();
    assert!(corpus.length() > 30);
    for value in corpus.iter() {
        let json = stringify(&value);
        for threshold in [0, 512, usize::MAX] {
            let packed = pack_value(json.as_bytes(), threshold);
            let back = JSON::parse(&String::from(unpack_value(&packed).unwrap())).unwrap();
            assert_eq!(stringify(&back), json, "threshold {threshold}");
        }
    }
}

#[wasm_bindgen_test]
fn packed_values_survive_local_storage() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.clear().unwrap();
    let json = stringify(&js(CORPUS));
    let packed = String::from_utf16(&pack_value(json.as_bytes(), 512)).unwrap();
    storage.set_item("smartcache-test:corpus", &packed).unwrap();
    let read = storage.get_item("smartcache-test:corpus").unwrap().unwrap();
    assert_eq!(read, packed);
    assert_eq!(
        String::from(unpack_value(&utf16_units(&read)).unwrap()),
        json
    );
    // Compressed and packed, the corpus takes far fewer units than its JSON text.
    assert!(read.encode_utf16().count() * 3 < json.encode_utf16().count());
    storage.clear().unwrap();
}

#[wasm_bindgen_test]
fn foreign_or_damaged_text_is_corrupt() {
    for text in ["", "{\"a\":1}", "garbage text"] {
        assert_eq!(
            code_of(unpack_value(&utf16_units(text)).unwrap_err()),
            "CORRUPT_ENTRY"
        );
    }
    let mut damaged = pack_value(br#"{"amount":100}"#, 0);
    damaged[5] ^= 1;
    assert_eq!(
        code_of(unpack_value(&damaged).unwrap_err()),
        "CORRUPT_ENTRY"
    );
}

#[wasm_bindgen_test]
async fn each_error_code_comes_from_its_input_and_the_cache_keeps_working() {
    let bad_options = [
        "({ memoryBytes: -1 })",
        "({ memoryBytes: 'lots' })",
        "({ namespace: '' })",
        "({ version: 1.5 })",
        "({ defaultTtlMs: NaN })",
        "({ crossTab: 'yes' })",
        "42",
        "[]",
    ];
    for options in bad_options {
        let err = open(options).expect_err(options);
        assert_eq!(code_of(err), "INVALID_OPTION", "{options}");
    }

    let cache = open("({ namespace: 'errors', memoryBytes: 1000 })").unwrap();
    cache.clear().unwrap();
    let long_key = "k".repeat(1025);
    for key in ["", long_key.as_str()] {
        assert_eq!(
            code_of(cache.set(key, b"1", JsValue::UNDEFINED).unwrap_err()),
            "INVALID_KEY"
        );
        assert_eq!(code_of(cache.delete(key).unwrap_err()), "INVALID_KEY");
    }
    let bad_set_options = [
        "({ ttlMs: -1 })",
        "({ ttlMs: '10' })",
        "({ staleMs: Infinity })",
        "({ tier: 'disk' })",
        "({ tags: 'not-a-list' })",
        "({ dependsOn: [''] })",
        "'ttl'",
    ];
    for options in bad_set_options {
        let err = cache.set("k", b"1", js(options)).unwrap_err();
        assert_eq!(code_of(err), "INVALID_OPTION", "{options}");
    }
    for tier in ["auto", "memory", "local", "indexeddb"] {
        let options = js(&format!(
            "({{ tier: '{tier}', ttlMs: 60000, tags: ['t'], dependsOn: ['d'] }})"
        ));
        cache.set(&format!("tier:{tier}"), b"{}", options).unwrap();
    }
    let too_large = "x".repeat(1001);
    assert_eq!(
        code_of(
            cache
                .set("big", too_large.as_bytes(), js("({ tier: 'memory' })"))
                .unwrap_err()
        ),
        "ENTRY_TOO_LARGE"
    );

    // After every refusal the cache still takes and reports entries.
    let stored = cache
        .set("company:42", br#"{"id":42}"#, JsValue::UNDEFINED)
        .unwrap();
    // One shape: a Float64Array of id, expiresAt, staleAt, inMemory.
    let stored: js_sys::Float64Array = stored.dyn_into().unwrap();
    assert_eq!(stored.length(), 4);
    assert_eq!(stored.get_index(3), 1.0, "in memory");
    assert_eq!(stored.get_index(1), 0.0, "never expires");
    cache.record_accesses(&[stored.get_index(0) as u32], 0);
    let stats = cache.stats();
    assert_eq!(
        Reflect::get(&stats, &"hits".into()).unwrap().as_f64(),
        Some(1.0)
    );
    let memory = Reflect::get(&stats, &"memory".into()).unwrap();
    assert_eq!(
        Reflect::get(&memory, &"entries".into()).unwrap().as_f64(),
        Some(5.0)
    );
    let entries: js_sys::Array = cache.entries().dyn_into().unwrap();
    let first = entries.get(0);
    assert_eq!(
        Reflect::get(&first, &"key".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "company:42"
    );
    assert_eq!(
        Reflect::get(&first, &"inMemory".into()).unwrap().as_bool(),
        Some(true)
    );

    cache.close();
    assert_eq!(
        code_of(cache.set("k", b"1", JsValue::UNDEFINED).unwrap_err()),
        "CLOSED"
    );
}

/// `stats()[name]` as a number.
fn stat(cache: &WasmCache, name: &str) -> f64 {
    let stats = cache.stats();
    Reflect::get(&stats, &name.into())
        .unwrap()
        .as_f64()
        .unwrap()
}

#[wasm_bindgen_test]
async fn a_hit_whose_bytes_are_not_utf8_is_refused_as_corrupt_in_either_tier() {
    let cache = open("({ namespace: 'not-text' })").unwrap();
    cache.clear().unwrap();
    // Well sealed (the engine stored them so), but not text: only their decoding can tell.
    let not_text = [0xff, 0xfe, 0x7b, 0x7d];
    for tier in ["local", "indexeddb"] {
        let options = js(&format!("({{ tier: '{tier}' }})"));
        cache
            .set(&format!("bin:{tier}"), &not_text, options.clone())
            .unwrap();
        cache
            .set(&format!("ok:{tier}"), "{\"é\":1}".as_bytes(), options)
            .unwrap();
    }
    JsFuture::from(cache.flush()).await.unwrap();
    let read = |key: &str| {
        let found = cache.get(key).unwrap();
        async move {
            match found.dyn_into::<js_sys::Promise>() {
                Ok(promise) => JsFuture::from(promise).await.unwrap(),
                Err(found) => found,
            }
        }
    };
    for tier in ["local", "indexeddb"] {
        assert!(read(&format!("bin:{tier}")).await.is_undefined(), "{tier}");
        let ok = read(&format!("ok:{tier}")).await;
        let json = Reflect::get(&ok, &"json".into()).unwrap();
        assert_eq!(json.as_string().unwrap(), "{\"é\":1}", "{tier}");
    }
    // Each refused hit counts as a miss and a fault, and its entry is gone.
    assert_eq!((stat(&cache, "hits"), stat(&cache, "misses")), (2.0, 2.0));
    assert_eq!(stat(&cache, "faults"), 2.0);
    assert!(cache.get("bin:local").unwrap().is_undefined());
    cache.clear().unwrap();
    cache.close();
}

#[wasm_bindgen_test]
async fn removals_reach_the_listener_even_without_subscribers() {
    let cache = open("({ namespace: 'listener', memoryBytes: 300 })").unwrap();
    cache.clear().unwrap();
    let seen = js_sys::Array::new();
    let push = Function::new_with_args("e", "this.push(e.type + ':' + e.key)");
    let listener = push.bind0(&seen);
    cache.set_listener(listener, false);
    for i in 0..5 {
        cache
            .set(
                &format!("k{i}"),
                "x".repeat(100).as_bytes(),
                JsValue::UNDEFINED,
            )
            .unwrap();
    }
    cache.delete("k4").unwrap();
    let seen: Vec<String> = seen.iter().map(|v| v.as_string().unwrap()).collect();
    assert_eq!(seen, ["evict:k0", "evict:k1", "delete:k4"]);
}
