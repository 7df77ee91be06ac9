//! Keys as templates: `company:42` is `company:{}` with the parameter `42`. A segment (between
//! `:`) is a parameter when it looks like an identifier rather than a name: digits, a UUID, a
//! long hexadecimal string, or a date. Everything else is part of the template.

/// A key split into its template and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abstracted {
    /// The key with each parameter segment replaced by `{}`.
    pub template: String,
    /// The parameter segments, in order.
    pub params: Vec<String>,
}

/// Hex strings at least this long are identifiers (hashes, object ids), not names.
const MIN_HEX_ID: usize = 12;

fn is_parameter(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    let digits = bytes.iter().all(u8::is_ascii_digit);
    let uuid = bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    let hex = bytes.len() >= MIN_HEX_ID
        && bytes.iter().all(u8::is_ascii_hexdigit)
        && bytes.iter().any(u8::is_ascii_digit);
    let date = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    digits || uuid || hex || date
}

/// Splits `key` into its template and parameters.
pub fn abstract_key(key: &str) -> Abstracted {
    let mut params = Vec::new();
    let segments: Vec<&str> = key
        .split(':')
        .map(|segment| {
            if is_parameter(segment) {
                params.push(segment.to_string());
                "{}"
            } else {
                segment
            }
        })
        .collect();
    Abstracted {
        template: segments.join(":"),
        params,
    }
}

/// The key of `template` with `params` in its `{}` segments (None when the counts differ).
pub fn instantiate(template: &str, params: &[String]) -> Option<String> {
    let mut next = params.iter();
    let segments: Option<Vec<&str>> = template
        .split(':')
        .map(|segment| {
            if segment == "{}" {
                next.next().map(String::as_str)
            } else {
                Some(segment)
            }
        })
        .collect();
    let key = segments?.join(":");
    next.next().is_none().then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_become_parameters_and_names_stay() {
        let a = abstract_key("payments:company:42");
        assert_eq!(a.template, "payments:company:{}");
        assert_eq!(a.params, ["42"]);
        let uuid = abstract_key("user:3f2504e0-4f89-11d3-9a0c-0305e82c3301:profile");
        assert_eq!(uuid.template, "user:{}:profile");
        assert_eq!(abstract_key("report:2026-11-30").template, "report:{}");
        assert_eq!(abstract_key("blob:5f2b9c0e7d1a").template, "blob:{}");
        assert_eq!(
            abstract_key("dashboard"),
            Abstracted {
                template: "dashboard".into(),
                params: vec![]
            }
        );
        assert_eq!(
            abstract_key("companies:search:acme").template,
            "companies:search:acme"
        );
        assert_eq!(
            abstract_key("cafe:beef").template,
            "cafe:beef",
            "short hex words are names"
        );
        assert_eq!(abstract_key("payments:company:7:page:2").params, ["7", "2"]);
    }

    #[test]
    fn instantiating_gives_the_key_back() {
        for key in ["payments:company:42", "dashboard", "a:1:b:2", "x::1"] {
            let a = abstract_key(key);
            assert_eq!(instantiate(&a.template, &a.params).as_deref(), Some(key));
        }
        assert_eq!(instantiate("company:{}", &[]), None);
        assert_eq!(instantiate("company", &["1".into()]), None);
    }
}
