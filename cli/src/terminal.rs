//! Text from a report (cells, column names, server messages) made safe to print, and measured
//! in terminal columns.
//!
//! A report is outside data: a cell holding `ESC ] 52 ; c ; … BEL` would set the clipboard of
//! whoever looks at the table, `ESC [ 2 J` would clear their screen, and a right-to-left
//! override would make the rest of the line read backwards. Every character that steers the
//! terminal is therefore printed as a visible escape (`\e`, `\u{7}`, `\u{202e}`), and widths
//! count columns rather than `char`s, so CJK text and combining marks still line up.

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_segmentation::UnicodeSegmentation as _;
use unicode_width::UnicodeWidthStr as _;

/// Marks text cut short; one column wide.
const ELLIPSIS: char = '…';

/// Whether `c` must not reach the terminal as is.
fn steers_terminal(c: char) -> bool {
    // `is_control` is Unicode's Cc: C0 (with ESC, BEL, CR, LF, TAB), DEL and C1 (with CSI
    // U+009B, which some terminals read as `ESC [`).
    c.is_control()
        || matches!(
            c,
            // Bidirectional embeddings, overrides and isolates: they reorder what follows on the
            // line, so a cell could disguise the cells after it.
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                // Directional marks: invisible, and they too move neighbouring text.
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                // Line and paragraph separators: some terminals break the line on them.
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `text` with every character that would steer the terminal written as a visible escape:
/// `\e`, `\n`, `\r`, `\t`, `\0`, or `\u{hex}` for the rest. Borrowed when nothing needed it.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(steers_terminal) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut safe, c);
    }
    Cow::Owned(safe)
}

fn push_escaped(out: &mut String, c: char) {
    if !steers_terminal(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{1b}' => out.push_str("\\e"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        // Writing to a String cannot fail.
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// Columns `text` takes on a terminal: CJK and other wide characters count 2, combining marks
/// 0. Meant for text already passed through [`escape`].
pub fn width(text: &str) -> usize {
    // Counted per grapheme, the same unit [`fit`] cuts on, so a cut text measures what
    // `fit` promised.
    text.graphemes(true).map(str::width).sum()
}

/// `text` escaped (see [`escape`]) and, if wider than `max` columns, cut to at most `max`
/// columns with an ellipsis. The cut falls between whole graphemes of the escaped text, so it
/// never splits an escape or separates a base letter from its accents.
pub fn fit(text: &str, max: usize) -> String {
    let safe = escape(text);
    if width(&safe) <= max {
        return safe.into_owned();
    }
    let Some(budget) = max.checked_sub(1) else {
        return String::new();
    };
    let mut cut = String::new();
    let mut used = 0;
    // Graphemes of the raw text, each escaped as a whole: an escape is one unit, kept or dropped.
    for grapheme in text.graphemes(true) {
        let unit = escape(grapheme);
        let unit_width = width(&unit);
        if used + unit_width > budget {
            break;
        }
        used += unit_width;
        cut.push_str(&unit);
    }
    cut.push(ELLIPSIS);
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No character of `text` would steer a terminal.
    fn inert(text: &str) -> bool {
        !text.chars().any(steers_terminal)
    }

    #[test]
    fn c0_controls_are_escaped() {
        assert_eq!(escape("a\u{1b}b"), "a\\eb");
        assert_eq!(escape("\u{7}"), "\\u{7}");
        assert_eq!(escape("line\r\nnext\tcell"), "line\\r\\nnext\\tcell");
        assert_eq!(escape("\0\u{1}\u{1f}"), "\\0\\u{1}\\u{1f}");
    }

    #[test]
    fn del_and_c1_controls_are_escaped() {
        assert_eq!(escape("\u{7f}"), "\\u{7f}");
        assert_eq!(escape("\u{80}"), "\\u{80}");
        assert_eq!(escape("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(escape("\u{9f}"), "\\u{9f}");
    }

    #[test]
    fn bidi_controls_are_escaped() {
        for c in ('\u{202a}'..='\u{202e}')
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{200e}', '\u{200f}', '\u{61c}'])
        {
            let text = format!("a{c}b");
            let shown = escape(&text);
            assert_eq!(shown, format!("a\\u{{{:x}}}b", u32::from(c)));
        }
        assert_eq!(escape("\u{202e}txt.exe"), "\\u{202e}txt.exe");
    }

    #[test]
    fn printable_text_is_left_alone() {
        assert!(matches!(escape("Teams Essentials"), Cow::Borrowed(_)));
        assert_eq!(escape("Büro 東京 é"), "Büro 東京 é");
        assert_eq!(escape("C:\\reports"), "C:\\reports");
    }

    #[test]
    fn the_clipboard_and_clear_screen_cell_prints_no_control_byte() {
        let cell = "\u{1b}]52;c;SGVsbG8=\u{7}\u{1b}[2J";
        let shown = escape(cell);
        assert_eq!(shown, "\\e]52;c;SGVsbG8=\\u{7}\\e[2J");
        assert!(!shown.bytes().any(|byte| byte == 0x1b || byte == 0x07));
        let cut = fit(cell, 18);
        assert!(!cut.bytes().any(|byte| byte == 0x1b || byte == 0x07));
        assert!(inert(&cut));
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(width("東京"), 4);
        assert_eq!(width("한국어"), 6);
        assert_eq!(width("ab"), 2);
    }

    #[test]
    fn combining_marks_take_none() {
        // `e` and a combining acute accent: one column.
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("Ame\u{301}lie"), 6);
    }

    #[test]
    fn fitting_text_is_only_escaped() {
        assert_eq!(fit("東京", 4), "東京");
        assert_eq!(fit("a\u{7}", 7), "a\\u{7}");
    }

    #[test]
    fn cuts_count_columns() {
        let cut = fit("東京都港区六本木", 7);
        // Three wide characters (6 columns) and the ellipsis; a fourth would make 9.
        assert_eq!(cut, "東京都…");
        assert_eq!(width(&cut), 7);
        let cut = fit("東京都港区", 6);
        // Two wide characters and the ellipsis: a third would overflow by one.
        assert_eq!(cut, "東京…");
        assert!(width(&cut) <= 6);
        // Accents stay with their letter.
        assert_eq!(
            fit("e\u{301}e\u{301}e\u{301}e\u{301}", 3),
            "e\u{301}e\u{301}…"
        );
    }

    #[test]
    fn a_cut_never_splits_an_escape_nor_exceeds_its_width() {
        let texts = [
            "\u{1b}]52;c;SGVsbG8=\u{7}\u{1b}[2J",
            "ab\u{1b}[31mred\u{1b}[0m",
            "\u{202e}\u{202e}\u{202e}\u{202e}",
            "東\u{9b}京\u{7}都\u{2066}港",
            "e\u{301}\u{1b}e\u{301}\u{7f}x",
        ];
        for text in texts {
            let whole = escape(text);
            for max in 0..=whole.len() + 2 {
                let cut = fit(text, max);
                assert!(width(&cut) <= max, "{text:?} at {max}: {cut:?}");
                assert!(inert(&cut), "{text:?} at {max}: {cut:?}");
                let kept = cut.strip_suffix(ELLIPSIS).unwrap_or(&cut);
                assert!(
                    whole.starts_with(kept),
                    "{text:?} at {max}: {cut:?} is not a prefix"
                );
                // The kept part ends where one escaped unit ends and the next begins, never
                // inside `\u{…}` or `\e`.
                let boundaries: Vec<usize> = std::iter::once(0)
                    .chain(text.graphemes(true).scan(0, |end, grapheme| {
                        *end += escape(grapheme).len();
                        Some(*end)
                    }))
                    .collect();
                assert!(
                    boundaries.contains(&kept.len()),
                    "{text:?} at {max}: {cut:?} ends inside a unit"
                );
                assert!(
                    kept.len() == whole.len() || cut.ends_with(ELLIPSIS) || max == 0,
                    "{text:?} at {max}: cut without an ellipsis"
                );
            }
        }
    }

    #[test]
    fn nothing_fits_in_no_columns() {
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("", 0), "");
        assert_eq!(fit("abc", 1), "…");
    }
}
