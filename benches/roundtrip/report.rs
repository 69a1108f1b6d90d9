//! The side-by-side table, and the notes that explain missing columns and bad replies.

use std::time::Duration;

use crate::measure::{Results, Settings};
use crate::output::OUTPUT_BYTES;

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
    /// Less is better (a time, memory); the ratio is swank/swankd.
    Cost,
    /// More is better (a rate); the ratio is swankd/swank.
    Rate,
    /// A count; no ratio.
    Count,
}

/// How a metric is read from one server's results; `None` when it could not be measured.
type Reading = Box<dyn Fn(&Results) -> Option<f64>>;

/// One row: its name, how it compares, its decimals, and how to read it from the results.
struct Metric {
    name: String,
    kind: Kind,
    decimals: usize,
    value: Reading,
}

fn metric(
    name: impl Into<String>,
    kind: Kind,
    decimals: usize,
    value: impl Fn(&Results) -> Option<f64> + 'static,
) -> Metric {
    Metric {
        name: name.into(),
        kind,
        decimals,
        value: Box::new(value),
    }
}

fn metrics(settings: &Settings) -> Vec<Metric> {
    let mut rows = vec![
        metric("sequential round trip p50 (µs)", Kind::Cost, 1, |r| {
            Some(micros(r.sequential.p50))
        }),
        metric("sequential round trip p99 (µs)", Kind::Cost, 1, |r| {
            Some(micros(r.sequential.p99))
        }),
        metric("sequential round trip mean (µs)", Kind::Cost, 1, |r| {
            Some(micros(r.sequential.mean))
        }),
    ];
    for (index, load) in settings.loads.iter().enumerate() {
        rows.push(metric(
            format!("throughput, {} connections (req/s)", load.connections),
            Kind::Rate,
            0,
            move |r| r.throughput.get(index).map(|t| t.rate),
        ));
    }
    rows.extend([
        metric(
            "fresh connection + connection-info, median (µs)",
            Kind::Cost,
            1,
            |r| Some(micros(r.first_request)),
        ),
        metric("start-up to listening, median (ms)", Kind::Cost, 1, |r| {
            Some(r.startup.to_listening.as_secs_f64() * 1e3)
        }),
        metric(
            format!(
                "output, {} MB via :write-string (MB/s)",
                OUTPUT_BYTES / 1_000_000
            ),
            Kind::Rate,
            1,
            |r| Some(r.output / 1e6),
        ),
        metric("resident memory idle, median (MiB)", Kind::Cost, 1, |r| {
            r.startup.idle_resident.map(mebibytes)
        }),
    ]);
    for (index, load) in settings.loads.iter().enumerate() {
        rows.push(metric(
            format!(
                "resident memory, peak with {} connections (MiB)",
                load.connections
            ),
            Kind::Cost,
            1,
            move |r| {
                r.throughput
                    .get(index)
                    .and_then(|t| t.peak_resident)
                    .map(mebibytes)
            },
        ));
    }
    rows.push(metric("mismatched replies", Kind::Count, 0, |r| {
        Some(r.mismatches.count as f64)
    }));
    rows
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

fn mebibytes(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Prints what was measured, failures, the table and any mismatching replies.
///
/// `sbcl` is `None` when SBCL is not installed: the table then has the swankd column only.
pub fn print(settings: &Settings, sbcl: Option<Column>, swankd: Column) {
    println!();
    let loads: Vec<String> = settings
        .loads
        .iter()
        .map(|load| {
            format!(
                "{} connections x {} requests",
                load.connections, load.per_connection
            )
        })
        .collect();
    println!(
        "{} sequential round trips after {} warm-up; {}; {} fresh connections; \
         {} starts; {} output runs; timeout {} ms",
        settings.sequential,
        settings.warmup,
        loads.join(", "),
        settings.fresh,
        settings.starts,
        settings.output_runs,
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
        header.push("ratio (>1: swankd better)".to_owned());
    }
    let mut rows = vec![header];
    for metric in metrics(settings) {
        let values: Vec<Option<f64>> = columns
            .iter()
            .map(|column| column.outcome.as_ref().ok().and_then(&metric.value))
            .collect();
        let mut row = vec![metric.name.clone()];
        row.extend(values.iter().map(|value| cell(metric.decimals, *value)));
        if compare {
            row.push(ratio(metric.kind, values[0], values[1]));
        }
        rows.push(row);
    }
    rows
}

fn cell(decimals: usize, value: Option<f64>) -> String {
    match value {
        None => "–".to_owned(),
        Some(v) => format!("{v:.decimals$}"),
    }
}

/// The ratio for `kind`, oriented so that above 1 means swankd is better.
fn ratio(kind: Kind, sbcl: Option<f64>, swankd: Option<f64>) -> String {
    let (Some(sbcl), Some(swankd)) = (sbcl, swankd) else {
        return "–".to_owned();
    };
    let (top, bottom) = match kind {
        Kind::Cost => (sbcl, swankd),
        Kind::Rate => (swankd, sbcl),
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
