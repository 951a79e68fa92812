//! As-you-type editing of the numeric fields: reformatting the value and keeping the caret where
//! the shopper put it, by counting digits rather than characters (separators come and go).
//!
//! Positions are UTF-16 code units, as `selectionStart` reports them in the browser.

/// The field after an edit: its new text and where the caret goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edited {
    pub value: String,
    pub caret: usize,
}

/// Reformats `raw` (the input's text right after the browser applied an edit, with the caret at
/// `caret`) using `format`. `previous` is the formatted value before the edit and
/// `deleting_backward` tells a Backspace apart from other edits: a Backspace that only removed a
/// separator (which formatting would put straight back) removes the digit before it instead.
///
/// The caret stays after the same number of digits it followed in `raw`, so editing in the
/// middle of a card number does not throw the caret to the end; a caret at the end stays at the
/// end, past any separator the formatting added.
pub fn reformat(raw: &str, caret: usize, previous: &str, deleting_backward: bool, format: fn(&str) -> String) -> Edited {
    let raw_len = utf16_len(raw);
    let caret = caret.min(raw_len);
    let mut digits_before = digits_before(raw, caret);
    let mut at_end = caret == raw_len;
    let mut value = format(raw);
    if deleting_backward && value == previous && digits_before > 0 {
        let mut digits: Vec<char> = raw.chars().filter(char::is_ascii_digit).collect();
        digits.remove(digits_before - 1);
        digits_before -= 1;
        // Deleting the last digit leaves the caret at the end, anywhere else after its
        // left neighbour.
        at_end = digits_before == digits.len();
        value = format(&digits.into_iter().collect::<String>());
    }
    let caret = if at_end { utf16_len(&value) } else { after_digits(&value, digits_before) };
    Edited { value, caret }
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// How many ASCII digits precede UTF-16 position `caret`.
fn digits_before(s: &str, caret: usize) -> usize {
    let mut pos = 0;
    let mut count = 0;
    for c in s.chars() {
        if pos >= caret {
            break;
        }
        pos += c.len_utf16();
        count += usize::from(c.is_ascii_digit());
    }
    count
}

/// The UTF-16 position just after the `n`th digit of `s` (0 for `n == 0`, the end if `s` has
/// fewer digits).
fn after_digits(s: &str, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let mut pos = 0;
    let mut seen = 0;
    for c in s.chars() {
        pos += c.len_utf16();
        if c.is_ascii_digit() {
            seen += 1;
            if seen == n {
                return pos;
            }
        }
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{format_expiry, format_number};

    /// `|` marks the caret in `raw` and in the expected result.
    fn edit(raw_with_caret: &str, previous: &str, backspace: bool, format: fn(&str) -> String) -> String {
        let caret = raw_with_caret.find('|').expect("caret");
        let raw = raw_with_caret.replace('|', "");
        let out = reformat(&raw, caret, previous, backspace, format);
        let mut shown = out.value.clone();
        shown.insert(out.caret, '|');
        shown
    }

    #[test]
    fn card_number_edits_keep_the_caret_by_digit() {
        let full = "4242 4242 4242 4242";
        let cases: &[(&str, &str, bool, &str)] = &[
            // Typing at the end runs past inserted separators.
            ("4242|", "424", false, "4242|"),
            ("42424|", "4242", false, "4242 4|"),
            // Backspace in the middle removes one digit and keeps the caret there.
            ("4242 4|42 4242 4242", full, true, "4242 4|424 2424 242"),
            // Typing in the middle stays in the middle.
            ("4242 41|424 2424 242", "4242 4424 2424 242", false, "4242 41|42 4242 4242"),
            // Backspace right after a separator deletes the digit before it.
            ("4242|4242 4242 4242", full, true, "424|4 2424 2424 242"),
            // …and at the very end the last digit goes, caret stays at the end.
            ("4242 4242 4242 424|", full, true, "4242 4242 4242 424|"),
            // A paste in the middle of an empty field with dashes.
            ("4000-0000-0000-0002|", "", false, "4000 0000 0000 0002|"),
            // Caret at the start stays at the start.
            ("|4242 4242", "4242 4242", false, "|4242 4242"),
            // Amex groups 4-6-5.
            ("3782 8|2246310005", "3782 822463 10005", false, "3782 8|22463 10005"),
        ];
        for &(raw, previous, backspace, want) in cases {
            assert_eq!(edit(raw, previous, backspace, format_number), want, "editing {raw:?}");
        }
    }

    #[test]
    fn expiry_edits() {
        assert_eq!(edit("12|", "1", false, format_expiry), "12 / |");
        // Backspace over the inserted " / " removes the month's last digit.
        assert_eq!(edit("12 /|", "12 / ", true, format_expiry), "1|");
        assert_eq!(edit("1|2 / 34", "12 / 34", false, format_expiry), "1|2 / 34");
    }

    #[test]
    fn positions_count_utf16_units() {
        // A stray non-BMP character pasted before the digits counts two units.
        let out = reformat("😀4242", 3, "", false, format_number);
        assert_eq!(out, Edited { value: "4242".into(), caret: 1 });
        // Out-of-range carets are clamped, not a panic.
        assert_eq!(reformat("42", 99, "", false, format_number).caret, 2);
        assert_eq!(reformat("", 0, "", true, format_number), Edited { value: String::new(), caret: 0 });
    }
}
