//! Charts as inline SVG, drawn on the server: horizontal bars, one or two series, with a
//! title and an `aria-label` for screen readers and the numbers as text beside the bars.

use maud::{html, Markup};

/// One bar: a label and one or two values (e.g. raw and unique).
pub(crate) struct Bar {
    pub label: String,
    pub value: u64,
    pub second: Option<u64>,
}

const WIDTH: u32 = 460;
const LABEL: u32 = 150;
const ROW: u32 = 22;

fn fmt(n: u64) -> String {
    super::pages::thousands(n)
}

/// A horizontal bar chart; `legend` names the series (`["raw", "unique"]`).
pub(crate) fn bars(id: &str, title: &str, legend: &[&str], data: &[Bar]) -> Markup {
    let max = data
        .iter()
        .map(|b| b.value.max(b.second.unwrap_or(0)))
        .max()
        .unwrap_or(0)
        .max(1);
    let two = data.iter().any(|b| b.second.is_some());
    let per = if two { ROW * 2 } else { ROW };
    let height = (data.len() as u32).max(1) * per + 24;
    let span = WIDTH - LABEL - 70;
    let scale =
        |v: u64| -> u32 { ((v as f64 / max as f64) * f64::from(span)).round().max(1.0) as u32 };
    let summary: Vec<String> = data
        .iter()
        .map(|b| match b.second {
            Some(s) => format!(
                "{}: {} {}, {} {}",
                b.label,
                fmt(b.value),
                legend.first().unwrap_or(&""),
                fmt(s),
                legend.get(1).unwrap_or(&"")
            ),
            None => format!("{}: {}", b.label, fmt(b.value)),
        })
        .collect();
    let aria = format!("{title}. {}", summary.join("; "));
    html! {
        figure {
            figcaption { (title) }
            svg id=(id) role="img" aria-label=(aria) viewBox=(format!("0 0 {WIDTH} {height}"))
                width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" {
                title { (title) }
                @if data.is_empty() {
                    text x="0" y="16" { "Nothing to show." }
                }
                @for (i, b) in data.iter().enumerate() {
                    @let y = i as u32 * per + 4;
                    text x="0" y=(y + 14) { (truncate(&b.label, 22)) }
                    rect x=(LABEL) y=(y + 3) width=(scale(b.value)) height="14" fill="var(--bar)" {}
                    text x=(LABEL + scale(b.value) + 4) y=(y + 14) { (fmt(b.value)) }
                    @if let Some(s) = b.second {
                        rect x=(LABEL) y=(y + ROW + 1) width=(scale(s)) height="14" fill="var(--bar2)" {}
                        text x=(LABEL + scale(s) + 4) y=(y + ROW + 12) { (fmt(s)) }
                    }
                }
                @if two {
                    @let ly = height - 8;
                    rect x=(LABEL) y=(ly - 10) width="10" height="10" fill="var(--bar)" {}
                    text x=(LABEL + 14) y=(ly) { (legend.first().unwrap_or(&"")) }
                    rect x=(LABEL + 90) y=(ly - 10) width="10" height="10" fill="var(--bar2)" {}
                    text x=(LABEL + 104) y=(ly) { (legend.get(1).unwrap_or(&"")) }
                }
            }
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_labelled_and_scaled() {
        let svg = bars(
            "chart-x",
            "Things",
            &["raw", "unique"],
            &[
                Bar {
                    label: "a".into(),
                    value: 10,
                    second: Some(5),
                },
                Bar {
                    label: "b<c".into(),
                    value: 20,
                    second: Some(20),
                },
            ],
        )
        .into_string();
        assert!(svg.contains(r#"id="chart-x""#));
        assert!(svg.contains(r#"role="img""#));
        assert!(
            svg.contains("aria-label=\"Things. a: 10 raw, 5 unique; b&lt;c: 20 raw, 20 unique\"")
        );
        assert_eq!(svg.matches("<rect").count(), 4 + 2, "{svg}");
        assert!(svg.contains("b&lt;c"), "labels are escaped");
        let empty = bars("chart-y", "None", &[], &[]).into_string();
        assert!(empty.contains("Nothing to show."));
    }
}
