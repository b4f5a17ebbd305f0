//! 公示名单: the publication list as a notice prints it — 序号, tier, name, code, park — sorted by
//! tier (best first) and then by name in pinyin order ([`pinyin_key`]); enterprises the rules manage as a tier without evaluating
//! them (e.g. 免评按B类管理) are listed under that tier with a remark. The title names the region
//! (`[notice] region`); under the list, the notice period, the objections contact and the
//! issuing body (`from`/`to`, `contact`, `issuer`). Set up for printing: title, repeated header row, one page wide, page numbers.

use std::borrow::Cow;

use rust_xlsxwriter::Workbook;

use super::analysis::Analysis;
use super::Scope;
use crate::sheet::print::{self, Print};
use crate::sheet::table::{Cell, Formats, TableWriter};
use crate::sheet::SheetError;

pub const NAME: &str = "公示名单";

/// One line of the notice: (tier order, tier, tier name, name, code, park, group, remark), its
/// text borrowed from the analysis and the rules.
pub type Line<'a> = (usize, &'a str, &'a str, &'a str, &'a str, &'a str, &'a str, Cow<'a, str>);

pub fn rows<'a>(a: &Analysis<'a>, scope: Scope) -> Vec<Line<'a>> {
    let labels = a.all_labels();
    let order = |t: &str| labels.iter().position(|l| l == t).unwrap_or(labels.len());
    let r = a.rules();
    let nf = a.firms.len();
    // Line `i`: firm `i`, or entry `i - nf` of the not-evaluated list managed as a tier.
    let line = |i: usize| -> Option<Line<'a>> {
        if let Some(f) = a.firms.get(i) {
            return Some((
                order(f.tier),
                f.tier,
                a.tier_name(f.group, f.tier),
                f.name,
                f.code,
                f.park,
                r.groups[f.group].name.as_str(),
                Cow::Borrowed(""),
            ));
        }
        let l = &a.listed[i - nf];
        let t = l.tier?;
        let name = r
            .groups
            .iter()
            .find_map(|g| g.tiers.index_of(t).and_then(|i| g.tiers.names.get(i)))
            .map(String::as_str)
            .unwrap_or("");
        Some((
            order(t),
            t,
            name,
            l.name,
            l.code,
            l.park,
            "",
            Cow::Owned(format!("{}，按{t}类管理", l.category)),
        ))
    };
    let park = |i: usize| a.firms.get(i).map(|f| f.park).unwrap_or_else(|| a.listed[i - nf].park);
    // Sorted once for the bureau's workbook; a park's list is its part of that order.
    let sorted = a.notice_order.get_or_init(|| {
        let words = &r.notice.pinyin;
        let mut keyed: Vec<(usize, &str, String, &str, &str, u32)> = (0..nf + a.listed.len())
            .filter_map(|i| {
                line(i).map(|(o, t, _, name, code, ..)| {
                    (o, t, pinyin_key(name, words), name, code, i as u32)
                })
            })
            .collect();
        // The index last makes every key distinct, so the unstable sort gives the stable order.
        keyed.sort_unstable();
        keyed.into_iter().map(|k| k.5).collect()
    });
    sorted.iter().map(|&i| i as usize).filter(|&i| scope.has(park(i))).filter_map(line).collect()
}

/// "2025-06-01" as 2025年6月1日.
fn zh_day(d: &str) -> String {
    let p: Vec<&str> = d.split('-').collect();
    match p.as_slice() {
        [y, m, dd] => {
            format!("{y}年{}月{}日", m.trim_start_matches('0'), dd.trim_start_matches('0'))
        }
        _ => d.to_string(),
    }
}

/// A name's sort key in pinyin order: each character's syllable with its tone number ("zhong4"),
/// the words of `[notice] pinyin` read as given there (longest first), other characters as they
/// are (Latin letters in lower case), separated by spaces — so 安 (an1) comes before 创
/// (chuang4) and 重庆 (chong2 qing4, when so given) before 涪陵 (fu2 ling2).
pub fn pinyin_key(name: &str, words: &[(Vec<char>, Vec<String>)]) -> String {
    use pinyin::ToPinyin;
    let chars: Vec<char> = name.chars().collect();
    let mut key = String::with_capacity(name.len() * 3);
    let mut i = 0;
    while i < chars.len() {
        if !key.is_empty() {
            key.push(' ');
        }
        if let Some((w, syllables)) = words.iter().find(|(w, _)| chars[i..].starts_with(w)) {
            key.push_str(&syllables.join(" "));
            i += w.len();
            continue;
        }
        match chars[i].to_pinyin() {
            Some(p) => key.push_str(p.with_tone_num_end()),
            None => key.extend(chars[i].to_lowercase()),
        }
        i += 1;
    }
    key
}

pub fn write(
    a: &Analysis,
    scope: Scope,
    wb: &mut Workbook,
    fmt: &Formats,
) -> Result<(), SheetError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(NAME)?;
    let r = a.rules();
    let n = &r.notice;
    let title = match scope {
        Scope::All => {
            format!("{}{}年度工业企业亩均效益综合评价结果公示名单", n.region, r.meta.year)
        }
        Scope::Park(p) => {
            format!("{}{}年度工业企业亩均效益综合评价结果公示名单（{p}）", n.region, r.meta.year)
        }
    };
    print::setup(ws, Print { title: &title, landscape: false, repeat: Some((1, 1)) })?;
    let period = n.period.as_ref().map(|(f, t)| format!("公示期：{} 至 {}", zh_day(f), zh_day(t)));
    let mut t = TableWriter::new(ws, fmt, 0);
    t.title(&title)?;
    let heads =
        ["序号", "等级", "等级名称", "企业名称", "统一社会信用代码", "所属园区", "评价组", "备注"];
    t.header(&heads.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    let rows = rows(a, scope);
    for (i, (_, tier, tname, name, code, park, group, remark)) in rows.iter().enumerate() {
        t.write_row(&[
            Cell::Int(i as i64 + 1),
            (*tier).into(),
            (*tname).into(),
            (*name).into(),
            (*code).into(),
            (*park).into(),
            (*group).into(),
            remark.as_ref().into(),
        ])?;
    }
    // The notice's closing lines: where objections go, and who issues it.
    let mut tail: Vec<String> = period.into_iter().collect();
    tail.extend(
        [("异议受理：", &n.contact), ("发布单位：", &n.issuer)]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}{v}")),
    );
    if !tail.is_empty() {
        t.blank();
        // Written past the tracked widths: a long line must not widen 序号.
        for line in &tail {
            t.ws.write_string(t.row, 0, line)?;
            t.row += 1;
        }
    }
    t.ws.set_freeze_panes(2, 0)?;
    t.finish_widths()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_their_pinyin_with_the_rules_readings_for_words_read_otherwise() {
        let words = vec![("重庆".chars().collect(), vec!["chong2".into(), "qing4".into()])];
        // 安 an1 < 创 chuang4 (code points: 创 U+521B before 安 U+5B89).
        assert!(pinyin_key("安科", &[]) < pinyin_key("创科", &[]));
        // 重庆 read chong2 qing4 comes before 涪陵 fu2 ling2; by the dictionary's zhong4, after.
        assert!(pinyin_key("重庆某公司", &words) < pinyin_key("涪陵某公司", &words));
        assert!(pinyin_key("重庆某公司", &[]) > pinyin_key("涪陵某公司", &[]));
        assert_eq!(pinyin_key("重庆A厂", &words), "chong2 qing4 a chang3");
        // A shorter name that the longer one begins with comes first.
        assert!(pinyin_key("安", &[]) < pinyin_key("安安", &[]));
    }
}
