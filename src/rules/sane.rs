//! Plausibility of the numbers and labels of a rule file. A rule file cannot say nonsense that
//! the engine would silently compute with (NaN, 1e308 points, a negative cap, two tiers named
//! A类 …). The bounds here are engine limits, not policy settings: every published scheme is far
//! inside them.

use std::ops::RangeInclusive;

/// Largest weight, cap, floor, event points or score threshold, in points. Published schemes use
/// 100 points in all; a bound keeps totals of many items far from overflow (1e308 → ∞ → 0).
pub const MAX_POINTS: f64 = 1e6;

/// Evaluation years the engine accepts (the year drives ages, file names and document dates).
pub const YEARS: RangeInclusive<i32> = 1949..=2200;

/// Most decimals a total can be rounded to: an f64 has 15 significant decimal digits.
pub const MAX_ROUND: u32 = 15;

/// A number of points (weight, cap): finite, above 0, at most [`MAX_POINTS`].
pub fn points(x: f64, what: &str) -> Result<(), String> {
    if x.is_finite() && x > 0.0 && x <= MAX_POINTS {
        Ok(())
    } else {
        Err(format!("{what}应为大于 0、不超过 {MAX_POINTS} 的数（分），实为 {x}"))
    }
}

/// A number of points that may be 0 (event points, caps of bonus and deduction).
pub fn points_or_zero(x: f64, what: &str) -> Result<(), String> {
    if x.is_finite() && (0.0..=MAX_POINTS).contains(&x) {
        Ok(())
    } else {
        Err(format!("{what}应为 0 到 {MAX_POINTS} 之间的数（分），实为 {x}"))
    }
}

/// A score that may be negative (item floor, tier threshold): finite, |x| ≤ [`MAX_POINTS`].
pub fn score(x: f64, what: &str) -> Result<(), String> {
    if x.is_finite() && x.abs() <= MAX_POINTS {
        Ok(())
    } else {
        Err(format!("{what}应为 -{MAX_POINTS} 到 {MAX_POINTS} 之间的数（分），实为 {x}"))
    }
}

/// A positive finite factor or value (benchmark value and factor, cap as a multiple of weight).
pub fn positive(x: f64, what: &str) -> Result<(), String> {
    if x.is_finite() && x > 0.0 {
        Ok(())
    } else {
        Err(format!("{what}应为大于 0 的有限数，实为 {x}"))
    }
}

/// A finite number (alert limits).
pub fn finite(x: f64, what: &str) -> Result<(), String> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(format!("{what}应为有限数，实为 {x}"))
    }
}

/// An evaluation year (`[meta] year`) within [`YEARS`].
pub fn year(y: i32) -> Result<(), String> {
    if YEARS.contains(&y) {
        Ok(())
    } else {
        Err(format!("评价年度应在 {} 到 {} 之间，实为 {y}", YEARS.start(), YEARS.end()))
    }
}

/// Decimals a total is rounded to (`[tiers] round`): at most [`MAX_ROUND`].
pub fn round(n: u32) -> Result<(), String> {
    if n <= MAX_ROUND {
        Ok(())
    } else {
        Err(format!("总分保留的小数位数应在 0 到 {MAX_ROUND} 之间，实为 {n}"))
    }
}

/// A land-use coefficient: the share of the area counted, −1 (rented out) to 1.
pub fn land_coefficient(mode: &str, c: f64) -> Result<(), String> {
    if mode.trim().is_empty() {
        return Err("用地方式名称不能为空".into());
    }
    if c.is_finite() && (-1.0..=1.0).contains(&c) {
        Ok(())
    } else {
        Err(format!(
            "用地方式「{mode}」的系数应在 -1 到 1 之间（如 自有 = 1、出租 = -1），实为 {c}"
        ))
    }
}

/// A text that must say something (ids, names, labels).
pub fn text(s: &str, what: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        Err(format!("{what}不能为空"))
    } else {
        Ok(())
    }
}

/// Labels that are each non-empty and all different (tier labels and names).
pub fn distinct(list: &[String], what: &str) -> Result<(), String> {
    for (i, l) in list.iter().enumerate() {
        text(l, what)?;
        if list[..i].iter().any(|x| x.trim() == l.trim()) {
            return Err(format!("{what}「{l}」重复"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_refuse_nan_infinity_zero_negative_and_huge() {
        for x in [f64::NAN, f64::INFINITY, 0.0, -5.0, 1e308, MAX_POINTS * 2.0] {
            assert!(points(x, "权重").is_err(), "{x}");
        }
        for x in [0.4, 40.0, MAX_POINTS] {
            assert!(points(x, "权重").is_ok(), "{x}");
        }
    }

    #[test]
    fn labels_must_be_distinct_and_not_blank() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(distinct(&l(&["A类", "A类"]), "等级").unwrap_err().contains("重复"));
        assert!(distinct(&l(&["A", " "]), "等级").unwrap_err().contains("不能为空"));
        assert!(distinct(&l(&["A", "B"]), "等级").is_ok());
    }

    #[test]
    fn year_and_round_bounds() {
        assert!(year(-5).is_err() && year(2201).is_err() && year(1948).is_err());
        assert!(year(1949).is_ok() && year(2024).is_ok() && year(2200).is_ok());
        assert!(round(400).is_err() && round(16).is_err());
        assert!(round(0).is_ok() && round(15).is_ok());
    }
}
