//! The shapes the API hands out (stats, entries, the graph, predictions, plans) as a small tree of
//! plain data, defined once: the browser layer makes JS objects of it (`web::convert::plain`),
//! the contract test JSON (`to_json`). Written out rather than derived: a serializer's generic
//! code weighed more of the wasm than these few shapes.

/// A plain value: what `JSON.parse` could give.
#[derive(Debug, Clone, PartialEq)]
pub enum Plain {
    /// A number (counts, sizes and times are far below 2^53, where f64 is exact).
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// A string made at run time (keys, tags).
    Text(String),
    /// One of a fixed set of names (tiers, reasons, modes): the browser layer makes each JS
    /// string once.
    Name(&'static str),
    /// An array.
    List(Vec<Plain>),
    /// An object, its fields in order; absent optional fields are left out.
    Object(Vec<(&'static str, Plain)>),
}

/// A value with a plain shape.
pub trait ToPlain {
    /// The value as plain data.
    fn to_plain(&self) -> Plain;
}

/// The fields of an object, in order.
#[derive(Debug, Default)]
pub struct Fields(Vec<(&'static str, Plain)>);

impl Fields {
    /// No fields yet.
    pub fn new() -> Fields {
        Fields::default()
    }

    /// Adds the field `name`.
    pub fn with(mut self, name: &'static str, value: &impl ToPlain) -> Fields {
        self.0.push((name, value.to_plain()));
        self
    }

    /// Adds the field `name` when there is a value (none leaves it out).
    pub fn maybe<T: ToPlain>(self, name: &'static str, value: &Option<T>) -> Fields {
        match value {
            Some(value) => self.with(name, value),
            None => self,
        }
    }

    /// The object.
    pub fn done(self) -> Plain {
        Plain::Object(self.0)
    }
}

impl ToPlain for u64 {
    fn to_plain(&self) -> Plain {
        Plain::Number(*self as f64)
    }
}

impl ToPlain for f64 {
    fn to_plain(&self) -> Plain {
        Plain::Number(*self)
    }
}

impl ToPlain for f32 {
    fn to_plain(&self) -> Plain {
        Plain::Number(f64::from(*self))
    }
}

impl ToPlain for bool {
    fn to_plain(&self) -> Plain {
        Plain::Bool(*self)
    }
}

impl ToPlain for String {
    fn to_plain(&self) -> Plain {
        Plain::Text(self.clone())
    }
}

impl ToPlain for &'static str {
    fn to_plain(&self) -> Plain {
        Plain::Name(self)
    }
}

impl<T: ToPlain> ToPlain for Vec<T> {
    fn to_plain(&self) -> Plain {
        Plain::List(self.iter().map(ToPlain::to_plain).collect())
    }
}

impl Plain {
    /// As JSON text (`JSON.stringify` of the JS object the browser layer makes of it, but
    /// for the spelling of numbers).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Plain::Number(n) => out.push_str(&n.to_string()),
            Plain::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Plain::Text(text) => write_json_string(text, out),
            Plain::Name(name) => write_json_string(name, out),
            Plain::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Plain::Object(fields) => {
                out.push('{');
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(name, out);
                    out.push(':');
                    value.write_json(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_json_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_leave_out_absent_fields_and_render_as_json() {
        let value = Fields::new()
            .with("key", &String::from("a\"b\n"))
            .with("tier", &"local")
            .maybe("expiresAt", &Some(5u64))
            .maybe::<u64>("staleAt", &None)
            .with("tags", &vec![String::from("x")])
            .with("rate", &0.25f64)
            .with("in", &true)
            .done();
        assert_eq!(
            value.to_json(),
            r#"{"key":"a\"b\u000a","tier":"local","expiresAt":5,"tags":["x"],"rate":0.25,"in":true}"#
        );
    }
}
