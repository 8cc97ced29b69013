use super::*;

/// Line and column of `offset`, counted from the top the slow way.
fn counted(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..offset].chars().count() + 1)
}

proptest::proptest! {
    #[test]
    fn line_index_agrees_with_counting_from_the_top(
        text in "[ab\né€\r]{0,600}",
        pick in 0usize..1000,
    ) {
        let index = LineIndex::new(&text);
        let offsets: Vec<usize> =
            text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let offset = offsets[pick % offsets.len()];
        proptest::prop_assert_eq!(index.position(offset), counted(&text, offset));
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            proptest::prop_assert_eq!(index.line(i), Some(*line));
            let column = pick % (line.chars().count() + 2) + 1;
            let expected = line.char_indices().nth(column - 1).map_or(line.len(), |(b, _)| b);
            proptest::prop_assert_eq!(index.column_offset(i, column), expected);
        }
        proptest::prop_assert_eq!(index.line(lines.len()), None);
    }
}

#[test]
fn line_index_counts_columns_in_characters_across_long_lines() {
    // Chunks of the index end inside multi-byte characters.
    let text = format!("first\n{}[x](/a) end\nlast", "é€".repeat(700));
    let index = LineIndex::new(&text);
    let offset = text.find("[x]").unwrap();
    assert_eq!(index.position(offset), (1, 1401));
    assert_eq!(index.column_offset(1, 1401), offset - "first\n".len());
    assert_eq!(index.position(text.len()), (2, 5));
    assert_eq!(index.line(2), Some("last"));
    assert_eq!(index.line(3), None);
}

fn broken_link(line: usize, column: usize) -> Diagnostic {
    Diagnostic::error(Location::new("content/a.md", line).with_column(column), "link broken")
}

#[test]
fn short_lines_are_shown_whole() {
    let d = broken_link(1, 5).with_excerpt("See [x](/a) here\r\n", Some(7));
    let excerpt = d.excerpt.unwrap();
    assert_eq!(excerpt.line, "See [x](/a) here");
    assert_eq!(&excerpt.line[excerpt.span.clone()], "[x](/a)");
    assert!(!excerpt.cut);
}

#[test]
fn a_long_line_keeps_a_window_and_the_caret_keeps_its_column() {
    let line = "[x](/a) ".repeat(10_000);
    let text = format!("---\ntitle: A\n---\n{line}\n");
    let d = broken_link(4, 40_001).with_excerpt_from(&text, 1, Some(7));
    let excerpt = d.excerpt.as_deref().unwrap();
    assert!(excerpt.line.len() < 200, "{}", excerpt.line.len());
    assert!(excerpt.cut);
    assert!(excerpt.line.starts_with('…') && excerpt.line.ends_with('…'));
    assert_eq!(&excerpt.line[excerpt.span.clone()], "[x](/a)");
    let shown = d.render(false);
    assert!(shown.contains("--> content/a.md:4:40001\n"), "{shown}");
    assert!(d.render(true).contains("content/a.md:4:40001"), "in colour too");
    // The caret sits under the culprit's first character.
    let lines: Vec<&str> = shown.lines().collect();
    let source = lines.iter().position(|l| l.starts_with("4 |")).unwrap();
    let caret = lines[source + 1].find('^').unwrap();
    let under: String = lines[source].chars().skip(caret).take(7).collect();
    assert_eq!(under, "[x](/a)", "{shown}");
}

#[test]
fn a_window_cuts_between_multi_byte_characters() {
    let line = format!("{}[é](/é){}", "é€".repeat(3000), "€".repeat(3000));
    let d = broken_link(1, 6001).with_excerpt_from(&line, 1, Some(7));
    let excerpt = d.excerpt.as_deref().unwrap();
    assert_eq!(&excerpt.line[excerpt.span.clone()], "[é](/é)");
    assert_eq!(excerpt.line.chars().filter(|c| *c == '…').count(), 2);
    assert!(excerpt.line.chars().count() <= 1 + WINDOW_BEFORE + 7 + WINDOW_AFTER + 1);
    assert!(d.render(false).contains("--> content/a.md:1:6001\n"));
    // Without a width, the culprit runs to the end of the line, but is shown only in part.
    let d = broken_link(1, 6001).with_excerpt_from(&line, 1, None);
    let excerpt = d.excerpt.as_deref().unwrap();
    assert_eq!(excerpt.line[excerpt.span.clone()].chars().count(), WINDOW_CULPRIT);
    assert!(excerpt.line.ends_with('…'));
}

#[test]
fn a_culprit_near_the_start_of_a_long_line_is_not_cut_before() {
    let line = format!("[x](/a) {}", "y".repeat(2000));
    let d = broken_link(1, 1).with_excerpt(&line, Some(7));
    let excerpt = d.excerpt.as_deref().unwrap();
    assert!(!excerpt.cut);
    assert_eq!(excerpt.span, 0..7);
    assert!(d.render(false).contains("--> content/a.md:1:1\n"));
}
