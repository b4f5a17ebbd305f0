//! The geometry of the run page's two SVG charts, drawn by the template on the server (no
//! script): tier counts as one stacked bar per row, and the score distribution as columns.
//! Only lengths for drawing are worked out here; every count is the store's.

use serde::Serialize;

/// Width of a chart's drawing area in SVG units (the SVG scales to its box).
const WIDTH: f64 = 900.0;
/// Room for the row labels on the left of the bars.
const LABEL: f64 = 220.0;
/// Height of one bar and the gap under it.
const BAR: f64 = 22.0;
const GAP: f64 = 8.0;

/// One tier's part of a bar.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    /// The tier (its CSS class).
    pub tier: String,
    /// Firms.
    pub count: i64,
    /// Left edge and width.
    pub x: String,
    /// Width.
    pub w: String,
}

/// One bar: a row label, its segments, its total at the end.
#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    /// The row's label.
    pub label: String,
    /// Top edge.
    pub y: String,
    /// Baseline of its texts.
    pub text_y: String,
    /// The segments, in tier order.
    pub segments: Vec<Segment>,
    /// Firms in the row.
    pub total: i64,
    /// Where the total is written.
    pub total_x: String,
}

/// A stacked bar chart.
#[derive(Debug, Clone, Serialize)]
pub struct Bars {
    /// The SVG's height.
    pub height: String,
    /// The bars.
    pub bars: Vec<Bar>,
}

fn n(x: f64) -> String {
    format!("{x:.1}")
}

/// Rows of (label, counts per tier in `tiers` order) as stacked bars on one scale.
pub fn bars(tiers: &[String], rows: &[(String, Vec<i64>)]) -> Bars {
    let most = rows.iter().map(|(_, c)| c.iter().sum::<i64>()).max().unwrap_or(0).max(1);
    let scale = (WIDTH - LABEL - 60.0) / most as f64;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, counts))| {
            let y = 10.0 + i as f64 * (BAR + GAP);
            let mut x = LABEL;
            let segments = tiers
                .iter()
                .zip(counts)
                .filter(|(_, c)| **c > 0)
                .map(|(t, c)| {
                    let w = *c as f64 * scale;
                    let s = Segment { tier: t.clone(), count: *c, x: n(x), w: n(w) };
                    x += w;
                    s
                })
                .collect();
            Bar {
                label: label.clone(),
                y: n(y),
                text_y: n(y + BAR * 0.7),
                segments,
                total: counts.iter().sum(),
                total_x: n(x + 6.0),
            }
        })
        .collect();
    Bars { height: n(20.0 + rows.len() as f64 * (BAR + GAP)), bars }
}

/// One column of the distribution.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// The bin as written under it ("60–70").
    pub label: String,
    /// Firms in the bin.
    pub count: i64,
    /// Left edge, top edge, width and height.
    pub x: String,
    /// Top edge.
    pub y: String,
    /// Width.
    pub w: String,
    /// Height.
    pub h: String,
    /// Centre, for its texts.
    pub mid: String,
    /// Where the count is written (above the column).
    pub count_y: String,
}

/// A column chart.
#[derive(Debug, Clone, Serialize)]
pub struct Columns {
    /// The columns.
    pub columns: Vec<Column>,
    /// Baseline y.
    pub base: String,
    /// Where the bin labels are written.
    pub label_y: String,
}

/// Bins of (label, firms) as columns on one scale.
pub fn columns(bins: &[(String, i64)]) -> Columns {
    let (top, base) = (20.0, 220.0);
    let most = bins.iter().map(|(_, c)| *c).max().unwrap_or(0).max(1) as f64;
    let w = WIDTH / bins.len().max(1) as f64;
    let columns = bins
        .iter()
        .enumerate()
        .map(|(i, (label, count))| {
            let h = (base - top) * *count as f64 / most;
            Column {
                label: label.clone(),
                count: *count,
                x: n(i as f64 * w + 2.0),
                y: n(base - h),
                w: n((w - 4.0).max(1.0)),
                h: n(h),
                mid: n(i as f64 * w + w / 2.0),
                count_y: n(base - h - 4.0),
            }
        })
        .collect();
    Columns { columns, base: n(base), label_y: n(base + 16.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_bar_fills_the_width_and_the_others_are_in_proportion() {
        let tiers = vec!["A".to_string(), "B".to_string()];
        let b = bars(&tiers, &[("甲".into(), vec![30, 10]), ("乙".into(), vec![0, 20])]);
        // Scale: (900 − 220 − 60) / 40 = 15.5 per firm.
        assert_eq!(b.bars[0].segments[0].w, "465.0");
        assert_eq!(b.bars[0].segments[1].x, "685.0");
        assert_eq!(b.bars[1].segments.len(), 1);
        assert_eq!(b.bars[1].segments[0].w, "310.0");
        assert_eq!(b.bars[1].total, 20);
    }
}
