//! The engine on hand-built documents; the expected texts are what SBCL prints for the
//! same blocks and newlines.

use super::*;

fn settings(right_margin: usize) -> LineSettings {
    LineSettings {
        right_margin,
        ..LineSettings::default()
    }
}

/// `(word word ...)` with a fill newline after each space, as `PPRINT-FILL` prints a list.
fn filled(words: &[&str]) -> Document {
    let mut document = Document::new();
    document.begin_block("(", false, ")");
    for (index, word) in words.iter().enumerate() {
        if index > 0 {
            document.text(" ");
            document.newline(NewlineKind::Fill);
        }
        document.text(word);
    }
    document.end_block();
    document
}

#[test]
fn a_block_that_fits_prints_on_one_line() {
    let document = filled(&["A", "B", "C"]);
    assert_eq!(lay_out(&document, &settings(80)), "(A B C)");
}

#[test]
fn fill_newlines_break_only_where_the_next_item_does_not_fit() {
    let words: Vec<String> = (1..=26).map(|n| n.to_string()).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    assert_eq!(
        lay_out(&filled(&words), &settings(30)),
        "(1 2 3 4 5 6 7 8 9 10 11 12\n 13 14 15 16 17 18 19 20 21\n 22 23 24 25 26)"
    );
}

#[test]
fn linear_newlines_all_break_when_the_block_does_not_fit() {
    let mut document = Document::new();
    document.begin_block("(", false, ")");
    document.text("PROGN");
    for form in ["(PRINT AAAAAAAA)", "(PRINT BBBBBBBBBBB)"] {
        document.text(" ");
        document.newline(NewlineKind::Linear);
        document.text(form);
    }
    document.end_block();
    assert_eq!(
        lay_out(&document, &settings(30)),
        "(PROGN\n (PRINT AAAAAAAA)\n (PRINT BBBBBBBBBBB))"
    );
    assert_eq!(
        lay_out(&document, &settings(80)),
        "(PROGN (PRINT AAAAAAAA) (PRINT BBBBBBBBBBB))"
    );
}

#[test]
fn indentation_is_relative_to_the_block_or_the_current_column() {
    let mut document = Document::new();
    document.begin_block("(", false, ")");
    document.text("CAR ");
    document.newline(NewlineKind::Fill);
    document.indent(IndentFrom::Current, 0);
    document.text("ALPHA BETA");
    document.text(" ");
    document.newline(NewlineKind::Fill);
    document.text("GAMMA");
    document.indent(IndentFrom::Block, 1);
    document.newline(NewlineKind::Mandatory);
    document.text("DELTA");
    document.end_block();
    assert_eq!(
        lay_out(&document, &settings(16)),
        "(CAR ALPHA BETA\n     GAMMA\n  DELTA)"
    );
}

#[test]
fn a_mandatory_newline_breaks_the_enclosing_blocks() {
    let mut document = Document::new();
    document.begin_block("(", false, ")");
    document.text("A ");
    document.newline(NewlineKind::Linear);
    document.begin_block("(", false, ")");
    document.text("B");
    document.newline(NewlineKind::Mandatory);
    document.text("C");
    document.end_block();
    document.end_block();
    assert_eq!(lay_out(&document, &settings(80)), "(A\n (B\n  C))");
}

#[test]
fn newlines_in_text_start_the_next_line_at_the_left_margin() {
    let mut document = Document::new();
    document.begin_block("(", false, ")");
    document.text("A ");
    document.newline(NewlineKind::Fill);
    document.text("\"x\ny\" ");
    document.newline(NewlineKind::Fill);
    document.text("B");
    document.end_block();
    assert_eq!(lay_out(&document, &settings(80)), "(A \"x\ny\"\n B)");
}

#[test]
fn miser_style_ignores_indentation_and_breaks_miser_newlines() {
    let mut document = Document::new();
    document.begin_block("(", false, ")");
    document.text("DEFUN ");
    document.newline(NewlineKind::Miser);
    document.indent(IndentFrom::Block, 5);
    document.text("FOO");
    document.end_block();
    let narrow = LineSettings {
        right_margin: 10,
        miser_width: Some(40),
        ..LineSettings::default()
    };
    assert_eq!(lay_out(&document, &narrow), "(DEFUN\n FOO)");
    assert_eq!(lay_out(&document, &settings(80)), "(DEFUN FOO)");
}

#[test]
fn per_line_prefixes_start_every_line_of_their_block() {
    let mut document = Document::new();
    document.begin_block(";; ", true, "");
    document.text("ONE");
    document.newline(NewlineKind::Mandatory);
    document.text("TWO");
    document.end_block();
    assert_eq!(lay_out(&document, &settings(80)), ";; ONE\n;; TWO");
}

#[test]
fn print_lines_cuts_the_output_with_the_open_suffixes() {
    let words = [
        "AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH", "III", "JJJ",
    ];
    let limited = LineSettings {
        right_margin: 20,
        max_lines: Some(2),
        ..LineSettings::default()
    };
    assert_eq!(
        lay_out(&filled(&words), &limited),
        "(AAA BBB CCC DDD\n EEE FFF GGG HHH ..)"
    );
}

#[test]
fn the_start_column_counts_toward_the_first_line() {
    let started = LineSettings {
        start_column: 10,
        ..settings(20)
    };
    assert_eq!(
        lay_out(&filled(&["AAA", "BBB", "CCC"]), &started),
        "(AAA BBB\n           CCC)"
    );
}

#[test]
fn spaces_before_a_break_are_dropped() {
    let mut document = Document::new();
    document.begin_block("(", false, ")");
    document.text("A   ");
    document.newline(NewlineKind::Mandatory);
    document.text("B");
    document.end_block();
    assert_eq!(lay_out(&document, &settings(80)), "(A\n B)");
}

#[test]
fn tabs_move_to_columns_of_the_section_and_count_only_before_text() {
    // PPRINT-TABULAR's layout: a section-relative tab after each element's space.
    let mut document = Document::new();
    document.begin_block("(", false, ")");
    for (index, word) in ["AAA", "EEEEE", "FFFF"].iter().enumerate() {
        if index > 0 {
            document.text(" ");
            document.tab(Tab {
                section: true,
                relative: true,
                column: 0,
                increment: 8,
            });
            document.newline(NewlineKind::Fill);
        }
        document.text(word);
    }
    document.end_block();
    assert_eq!(lay_out(&document, &settings(25)), "(AAA     EEEEE   FFFF)");
    assert_eq!(lay_out(&document, &settings(18)), "(AAA     EEEEE\n FFFF)");
}

#[test]
fn a_line_tab_goes_to_its_column_or_on_by_its_increment() {
    let tab = Tab {
        section: false,
        relative: false,
        column: 10,
        increment: 4,
    };
    assert_eq!(tab.width(1, 0), 9);
    assert_eq!(tab.width(11, 0), 3);
    let relative = Tab {
        relative: true,
        column: 3,
        increment: 5,
        ..tab
    };
    assert_eq!(relative.width(15, 0), 5);
}

#[test]
fn a_nested_document_joins_the_block_it_is_appended_to() {
    let mut outer = Document::new();
    outer.begin_block("<", false, ">");
    outer.text("ALPHA");
    let mut inner = Document::nested();
    inner.text(" ");
    inner.newline(NewlineKind::Linear);
    inner.text("BETA");
    assert_eq!(inner.flat_column(6), 11);
    outer.append(inner);
    outer.end_block();
    assert_eq!(lay_out(&outer, &settings(80)), "<ALPHA BETA>");
    assert_eq!(lay_out(&outer, &settings(8)), "<ALPHA\n BETA>");
}

#[test]
fn a_plain_document_ignores_newlines_outside_its_blocks() {
    let mut document = Document::new();
    document.text("A ");
    document.newline(NewlineKind::Mandatory);
    document.text("B\nC");
    assert_eq!(document.flat_column(5), 1);
    assert_eq!(lay_out(&document, &settings(80)), "A B\nC");
}
