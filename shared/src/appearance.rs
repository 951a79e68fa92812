//! The Appearance API: turns a shop's `{theme, variables, rules, fonts}` object into CSS for the
//! checkout frame, refusing anything that could escape a declaration or load a resource.
//!
//! The shop's page is not trusted with the frame's styles beyond this surface: unknown keys are
//! dropped with a warning, and a value containing `;`, `{`, `}`, `<`, `\`, `/*`, `@`, a newline,
//! unbalanced quotes, `url(` (outside `fonts`), `expression(` or another resource function is
//! refused with a warning. The widget prints the warnings with `console.warn`.

/// The appearance object as read from JSON: numbers arrive as strings.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Str(String),
    Map(Vec<(String, Node)>),
    List(Vec<Node>),
    /// Booleans, nulls: never a valid style value.
    Other,
}

/// The CSS for the frame plus font stylesheets to link, and a warning per refused input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compiled {
    pub css: String,
    pub stylesheets: Vec<String>,
    pub warnings: Vec<String>,
}

/// Variables a shop may set, each a CSS custom property of the same name in `checkout.css`.
pub const VARIABLES: &[&str] = &[
    "colorPrimary",
    "colorBackground",
    "colorText",
    "colorDanger",
    "colorTextSecondary",
    "colorBorder",
    "colorInputBackground",
    "fontFamily",
    "fontSizeBase",
    "spacingUnit",
    "borderRadius",
];

/// Rule names a shop may style, and the selectors they stand for inside the frame.
const RULES: &[(&str, &str)] = &[
    (".Input", ".Input"),
    (".Input:focus", ".Input:focus"),
    (".Input:hover", ".Input:hover"),
    (".Input--invalid", ".Input.Input--invalid"),
    (".Input::placeholder", ".Input::placeholder"),
    ("::placeholder", ".Input::placeholder"),
    (".Label", ".Label"),
    (".Error", ".Error,.FormError"),
    (".Button", ".Button"),
    (".Button:hover", ".Button:hover"),
    (".Button:focus", ".Button:focus-visible"),
    (".Button:disabled", ".Button:disabled"),
    (":disabled", ".Input:disabled,.Button:disabled"),
    (".Input:disabled", ".Input:disabled"),
    (":read-only", ".Input:read-only"),
    (".Input:read-only", ".Input:read-only"),
];

/// The variables behind each built-in theme; `default` is `checkout.css` itself.
pub fn theme_variables(theme: &str) -> Option<&'static [(&'static str, &'static str)]> {
    match theme {
        "default" => Some(&[]),
        "night" => Some(&[
            ("colorPrimary", "#7a73ff"),
            ("colorBackground", "#1f2130"),
            ("colorInputBackground", "#30313d"),
            ("colorText", "#f0f1f5"),
            ("colorTextSecondary", "#a9adbd"),
            ("colorDanger", "#ff8fa3"),
            ("colorBorder", "#474a5e"),
        ]),
        "flat" => Some(&[
            ("colorPrimary", "#0a7d5a"),
            ("colorBackground", "#ffffff"),
            ("colorInputBackground", "#eef0f3"),
            ("colorText", "#1f2328"),
            ("colorBorder", "transparent"),
            ("borderRadius", "2px"),
        ]),
        _ => None,
    }
}

/// Why a value was refused, or `None` when it is safe inside a single declaration.
pub fn refuse_value(value: &str) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase();
    if value.len() > 200 {
        return Some("is too long");
    }
    if value.chars().any(|c| matches!(c, ';' | '{' | '}' | '<' | '>' | '\\' | '@' | '\n' | '\r' | '\0')) || lower.contains("/*") {
        return Some("contains a character that could end the declaration");
    }
    if value.matches('"').count() % 2 == 1 || value.matches('\'').count() % 2 == 1 {
        return Some("has an unbalanced quote");
    }
    for f in ["url(", "expression(", "image-set(", "image(", "src(", "element(", "javascript:"] {
        if lower.contains(f) {
            return Some("loads a resource or runs code");
        }
    }
    None
}

/// `borderColor` → `border-color`; `None` unless the name is plain letters, digits and dashes.
fn property_name(name: &str) -> Option<String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    // Legacy properties that bind scripts.
    if matches!(out.as_str(), "behavior" | "-moz-binding") {
        return None;
    }
    Some(out)
}

/// A font URL: `https:` or a path on the gateway itself, with nothing that could end `url(…)`.
fn font_url(url: &str) -> bool {
    (url.starts_with("https://") || (url.starts_with('/') && !url.starts_with("//")))
        && !url.chars().any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '\'' | '"' | ';' | '{' | '}' | '\\' | '<' | '>'))
}

impl Compiled {
    fn warn(&mut self, what: &str, why: &str) {
        let mut w = String::from("Tessera appearance: ");
        w.push_str(what);
        w.push(' ');
        w.push_str(why);
        w.push_str("; ignored.");
        self.warnings.push(w);
    }

    fn declaration(&mut self, out: &mut String, property: &str, value: &Node, what: &str) {
        let Node::Str(value) = value else {
            return self.warn(what, "is not a string or number");
        };
        if let Some(why) = refuse_value(value) {
            return self.warn(what, why);
        }
        out.push_str(property);
        out.push(':');
        out.push_str(value.trim());
        out.push(';');
    }
}

/// Compiles an appearance object (the whole `appearance` option) into CSS.
pub fn compile(appearance: &Node) -> Compiled {
    let mut c = Compiled::default();
    let Node::Map(entries) = appearance else {
        if *appearance != Node::Other {
            c.warn("appearance", "is not an object");
        }
        return c;
    };
    let mut vars = String::new();
    let mut rules = String::new();
    let mut faces = String::new();
    let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    // The theme first, so explicit variables override it.
    if let Some(theme) = get("theme") {
        match theme {
            Node::Str(name) => match theme_variables(name) {
                Some(defaults) => {
                    for (k, v) in defaults {
                        vars.push_str("--");
                        vars.push_str(k);
                        vars.push(':');
                        vars.push_str(v);
                        vars.push(';');
                    }
                }
                None => c.warn(&format!("theme \"{name}\""), "is not one of default, night, flat"),
            },
            _ => c.warn("theme", "is not a string"),
        }
    }
    for (key, value) in entries {
        match key.as_str() {
            "theme" => {}
            "variables" => {
                let Node::Map(vs) = value else {
                    c.warn("variables", "is not an object");
                    continue;
                };
                for (name, v) in vs {
                    if VARIABLES.contains(&name.as_str()) {
                        c.declaration(&mut vars, &format!("--{name}"), v, &format!("variables.{name}"));
                    } else {
                        c.warn(&format!("variables.{name}"), "is not a known variable");
                    }
                }
            }
            "rules" => {
                let Node::Map(rs) = value else {
                    c.warn("rules", "is not an object");
                    continue;
                };
                for (name, decls) in rs {
                    let Some((_, selector)) = RULES.iter().find(|(n, _)| n == name) else {
                        c.warn(&format!("rules[\"{name}\"]"), "is not a known rule");
                        continue;
                    };
                    let Node::Map(decls) = decls else {
                        c.warn(&format!("rules[\"{name}\"]"), "is not an object");
                        continue;
                    };
                    let mut body = String::new();
                    for (prop, v) in decls {
                        match property_name(prop) {
                            Some(p) => c.declaration(&mut body, &p, v, &format!("rules[\"{name}\"].{prop}")),
                            None => c.warn(&format!("rules[\"{name}\"].{prop}"), "is not an allowed property"),
                        }
                    }
                    if !body.is_empty() {
                        rules.push_str(selector);
                        rules.push('{');
                        rules.push_str(&body);
                        rules.push('}');
                    }
                }
            }
            "fonts" => {
                let Node::List(fonts) = value else {
                    c.warn("fonts", "is not an array");
                    continue;
                };
                for font in fonts {
                    font_face(&mut c, &mut faces, font);
                }
            }
            other => c.warn(other, "is not a known appearance key"),
        }
    }
    let mut css = faces;
    if !vars.is_empty() {
        css.push_str(":root{");
        css.push_str(&vars);
        css.push('}');
    }
    css.push_str(&rules);
    c.css = css;
    c
}

/// One entry of `fonts`: `{cssSrc}` (a stylesheet to link) or `{family, src: "url(…)", weight,
/// style, display, unicodeRange}` (an `@font-face`).
fn font_face(c: &mut Compiled, out: &mut String, font: &Node) {
    let Node::Map(entries) = font else {
        return c.warn("fonts[]", "is not an object");
    };
    let get = |key: &str| match entries.iter().find(|(k, _)| k == key).map(|(_, v)| v) {
        Some(Node::Str(s)) => Some(s.as_str()),
        _ => None,
    };
    if let Some(href) = get("cssSrc") {
        if font_url(href) {
            c.stylesheets.push(href.to_owned());
        } else {
            c.warn("fonts[].cssSrc", "is not an https URL");
        }
        return;
    }
    let (Some(family), Some(src)) = (get("family"), get("src")) else {
        return c.warn("fonts[]", "needs cssSrc, or family and src");
    };
    if refuse_value(family).is_some() || family.contains(['"', '\'']) {
        return c.warn("fonts[].family", "is not a plain family name");
    }
    let url = src.trim().strip_prefix("url(").and_then(|s| s.strip_suffix(')')).map(|s| s.trim_matches(['"', '\'']));
    let Some(url) = url.filter(|u| font_url(u)) else {
        return c.warn("fonts[].src", "is not url(https://…)");
    };
    out.push_str("@font-face{font-family:\"");
    out.push_str(family);
    out.push_str("\";src:url(\"");
    out.push_str(url);
    out.push_str("\");");
    for (key, prop) in [("weight", "font-weight"), ("style", "font-style"), ("display", "font-display"), ("unicodeRange", "unicode-range")] {
        if let Some(v) = get(key) {
            if refuse_value(v).is_none() {
                out.push_str(prop);
                out.push(':');
                out.push_str(v);
                out.push(';');
            } else {
                c.warn(&format!("fonts[].{key}"), "is not a safe value");
            }
        }
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Node {
        Node::Str(v.to_owned())
    }
    fn map(entries: &[(&str, Node)]) -> Node {
        Node::Map(entries.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
    }

    #[test]
    fn variables_become_custom_properties_after_the_theme() {
        let c = compile(&map(&[
            ("theme", s("night")),
            ("variables", map(&[("colorPrimary", s("#ff0000")), ("borderRadius", s("0"))])),
        ]));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let night = c.css.find("--colorPrimary:#7a73ff").expect("theme value");
        let mine = c.css.find("--colorPrimary:#ff0000").expect("explicit value");
        assert!(night < mine, "explicit variables win by coming later: {}", c.css);
        assert!(c.css.contains("--borderRadius:0;"));
    }

    #[test]
    fn every_theme_is_known_and_unknown_ones_warn() {
        for t in ["default", "night", "flat"] {
            assert!(compile(&map(&[("theme", s(t))])).warnings.is_empty());
        }
        assert_eq!(compile(&map(&[("theme", s("neon"))])).warnings.len(), 1);
    }

    #[test]
    fn rules_map_to_frame_selectors_with_kebab_properties() {
        let c = compile(&map(&[(
            "rules",
            map(&[
                (".Input", map(&[("borderColor", s("#000")), ("boxShadow", s("none"))])),
                ("::placeholder", map(&[("color", s("#999"))])),
                (":disabled", map(&[("opacity", s("0.5"))])),
                (".Input--invalid", map(&[("color", s("red"))])),
                (":read-only", map(&[("color", s("gray"))])),
                (".Label", map(&[("fontWeight", s("600"))])),
                (".Error", map(&[("fontSize", s("12px"))])),
                (".Button", map(&[("textTransform", s("uppercase"))])),
                (".Input:focus", map(&[("outline", s("2px solid blue"))])),
            ]),
        )]));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        for want in [
            ".Input{border-color:#000;box-shadow:none;}",
            ".Input::placeholder{color:#999;}",
            ".Input:disabled,.Button:disabled{opacity:0.5;}",
            ".Input.Input--invalid{color:red;}",
            ".Input:read-only{color:gray;}",
            ".Label{font-weight:600;}",
            ".Button{text-transform:uppercase;}",
            ".Input:focus{outline:2px solid blue;}",
        ] {
            assert!(c.css.contains(want), "{want} in {}", c.css);
        }
    }

    #[test]
    fn unknown_keys_warn_and_are_dropped() {
        let c = compile(&map(&[
            ("labels", s("floating")),
            ("variables", map(&[("colorSparkle", s("#fff"))])),
            ("rules", map(&[(".Tab", map(&[("color", s("red"))])), (".Input", map(&[("behavior", s("x")), ("co lor", s("red"))]))])),
        ]));
        assert_eq!(c.warnings.len(), 5, "{:?}", c.warnings);
        assert_eq!(c.css, "");
    }

    #[test]
    fn injection_attempts_are_refused() {
        for bad in [
            "red; background: url(https://evil.example/x.png)",
            "red}body{display:none",
            "url(https://evil.example/track.png)",
            "URL(//evil.example)",
            "expression(alert(1))",
            "image-set(\"x.png\" 1x)",
            "red /* comment",
            "\"unbalanced",
            "red\\3b background:red",
            "@import 'x'",
            "</style><script>",
        ] {
            assert!(refuse_value(bad).is_some(), "{bad} must be refused");
            let c = compile(&map(&[("variables", map(&[("colorPrimary", s(bad))])), ("rules", map(&[(".Input", map(&[("color", s(bad))]))]))]));
            assert_eq!(c.warnings.len(), 2, "{bad}: {:?}", c.warnings);
            assert_eq!(c.css, "", "{bad} produced {}", c.css);
        }
        for good in ["#635bff", "rgba(0, 0, 0, 0.5)", "\"Noto Sans TC\", sans-serif", "calc(4px * 2)", "16px", "0 0 0 3px color-mix(in srgb, red 20%, transparent)"] {
            assert_eq!(refuse_value(good), None, "{good}");
        }
    }

    #[test]
    fn fonts_by_url_become_font_faces_or_stylesheets() {
        let c = compile(&map(&[(
            "fonts",
            Node::List(vec![
                map(&[("cssSrc", s("https://fonts.example/css2?family=Inter"))]),
                map(&[("family", s("Brand Sans")), ("src", s("url(https://cdn.example/brand.woff2)")), ("weight", s("400"))]),
                map(&[("cssSrc", s("javascript:alert(1)"))]),
                map(&[("family", s("X")), ("src", s("url(http://insecure.example/x.woff2)"))]),
                map(&[("family", s("Y\";}body{")), ("src", s("url(https://cdn.example/y.woff2)"))]),
            ]),
        )]));
        assert_eq!(c.stylesheets, ["https://fonts.example/css2?family=Inter"]);
        assert!(c.css.contains("@font-face{font-family:\"Brand Sans\";src:url(\"https://cdn.example/brand.woff2\");font-weight:400;}"), "{}", c.css);
        assert_eq!(c.warnings.len(), 3, "{:?}", c.warnings);
        assert!(!c.css.contains("insecure") && !c.css.contains("body{"));
    }

    #[test]
    fn non_objects_are_refused() {
        assert_eq!(compile(&s("night")).warnings.len(), 1);
        assert_eq!(compile(&Node::Other), Compiled::default());
        assert_eq!(compile(&map(&[("variables", s("x"))])).warnings.len(), 1);
    }
}
