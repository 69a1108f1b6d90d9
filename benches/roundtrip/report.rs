//! The side-by-side table, and the notes that explain missing columns and bad replies.

use std::time::Duration;

use crate::measure::{Results, Settings};

/// What one server's run produced: its results, or why there are none.
pub type Outcome = Result<Results, String>;

/// A server's name and outcome.
pub struct Column<'a> {
    pub name: &'static str,
    pub outcome: &'a Outcome,
}

/// How a metric compares between the servers.
#[derive(Clone, Copy)]
enum Kind {
    /// A time in µs; the ratio is swank/swankd, so above 1 means swankd is faster.
    Latency,
    /// A rate; the ratio is swankd/swank, so above 1 means swankd is faster.
    Throughput,
    /// A count; no ratio.
    Count,
}

struct Metric {
    name: String,
    kind: Kind,
    value: fn(&Results) -> f64,
}

fn metrics(settings: &Settings) -> Vec<Metric> {
    let metric = |name: String, kind, value| Metric { name, kind, value };
    vec![
        metric(
            "sequential round trip p50 (µs)".into(),
            Kind::Latency,
            |r| micros(r.sequential.p50),
        ),
        metric(
            "sequential round trip p99 (µs)".into(),
            Kind::Latency,
            |r| micros(r.sequential.p99),
        ),
        metric(
            "sequential round trip mean (µs)".into(),
            Kind::Latency,
            |r| micros(r.sequential.mean),
        ),
        metric(
            format!("throughput, {} connections (req/s)", settings.connections),
            Kind::Throughput,
            |r| r.throughput,
        ),
        metric(
            "fresh connection + connection-info, median (µs)".into(),
            Kind::Latency,
            |r| micros(r.first_request),
        ),
        metric("mismatched replies".into(), Kind::Count, |r| {
            r.mismatches.count as f64
        }),
    ]
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

/// Prints what was measured, failures, the table and any mismatching replies.
///
/// `sbcl` is `None` when SBCL is not installed: the table then has the swankd column only.
pub fn print(settings: &Settings, sbcl: Option<Column>, swankd: Column) {
    println!();
    println!(
        "{} sequential round trips after {} warm-up; {} connections x {} requests; \
         {} fresh connections; timeout {} ms",
        settings.sequential,
        settings.warmup,
        settings.connections,
        settings.per_connection,
        settings.fresh,
        settings.timeout.as_millis(),
    );
    let columns: Vec<&Column> = sbcl.iter().chain([&swankd]).collect();
    for column in &columns {
        if let Err(why) = column.outcome {
            println!("{}: {why}", column.name);
        }
    }
    println!();
    print_table(&table(settings, &columns));
    for column in &columns {
        print_mismatches(column);
    }
}

/// Rows of cells, header first; a ratio column only when two servers are compared.
fn table(settings: &Settings, columns: &[&Column]) -> Vec<Vec<String>> {
    let compare = columns.len() == 2;
    let mut header = vec!["metric".to_owned()];
    header.extend(columns.iter().map(|column| column.name.to_owned()));
    if compare {
        header.push("ratio".to_owned());
    }
    let mut rows = vec![header];
    for metric in metrics(settings) {
        let values: Vec<Option<f64>> = columns
            .iter()
            .map(|column| column.outcome.as_ref().ok().map(metric.value))
            .collect();
        let mut row = vec![metric.name.clone()];
        row.extend(values.iter().map(|value| cell(metric.kind, *value)));
        if compare {
            row.push(ratio(metric.kind, values[0], values[1]));
        }
        rows.push(row);
    }
    rows
}

fn cell(kind: Kind, value: Option<f64>) -> String {
    match (kind, value) {
        (_, None) => "–".to_owned(),
        (Kind::Latency, Some(v)) => format!("{v:.1}"),
        (Kind::Throughput | Kind::Count, Some(v)) => format!("{v:.0}"),
    }
}

/// The ratio for `kind`, oriented so that above 1 means swankd is faster.
fn ratio(kind: Kind, sbcl: Option<f64>, swankd: Option<f64>) -> String {
    let (Some(sbcl), Some(swankd)) = (sbcl, swankd) else {
        return "–".to_owned();
    };
    let (top, bottom) = match kind {
        Kind::Latency => (sbcl, swankd),
        Kind::Throughput => (swankd, sbcl),
        Kind::Count => return String::new(),
    };
    if bottom > 0.0 {
        format!("{:.2}x", top / bottom)
    } else {
        "–".to_owned()
    }
}

/// Prints `rows` as an aligned Markdown table.
fn print_table(rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| {
            rows.iter()
                .map(|row| row[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| println!("| {} |", cells.join(" | "));
    for (index, row) in rows.iter().enumerate() {
        line(
            row.iter()
                .zip(&widths)
                .map(|(text, &width)| format!("{text:<width$}"))
                .collect(),
        );
        if index == 0 {
            line(widths.iter().map(|&width| "-".repeat(width)).collect());
        }
    }
}

fn print_mismatches(column: &Column) {
    let Ok(results) = column.outcome else {
        return;
    };
    let mismatches = &results.mismatches;
    if mismatches.count == 0 {
        return;
    }
    println!();
    println!(
        "{}: {} mismatched replies, first ones:",
        column.name, mismatches.count
    );
    for frame in &mismatches.samples {
        println!("    {}", shorten(frame, 200));
    }
}

/// `text` cut to at most `limit` characters.
fn shorten(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}
