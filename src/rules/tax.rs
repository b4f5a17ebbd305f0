//! `[tax]`: which rows of the tax table make up an enterprise's evaluated tax (计入实缴税额).
//! Each entry of `include` and `exclude` is an exact tax type, or a glob where `*` stands for
//! any run of characters and `?` for one (`"*一次性*"`: every type whose name contains 一次性).

use serde::Deserialize;

/// One entry of `[tax] include` or `exclude`, as written.
#[derive(Debug, Clone)]
pub struct TaxPattern {
    /// The entry's text (a tax type, or a glob).
    pub text: String,
    /// The compiled glob, when the text has a wildcard.
    glob: Option<glob::Pattern>,
}

impl TaxPattern {
    /// The entry `text`: a glob when it holds `*`, `?` or `[`, else an exact name. Err: why the
    /// glob is invalid, in Chinese.
    pub fn parse(text: &str) -> Result<TaxPattern, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("税种不能为空".into());
        }
        let glob = if text.contains(['*', '?', '[']) {
            Some(glob::Pattern::new(text).map_err(|e| {
                format!(
                    "「{text}」不是有效的通配符写法（第{}个字符处）：* 代表任意多个字符，\
                     ? 代表一个字符，方括号须成对",
                    e.pos + 1
                )
            })?)
        } else {
            None
        };
        Ok(TaxPattern { text: text.to_string(), glob })
    }

    /// Whether the tax type `name` matches (exactly, or by the glob).
    pub fn matches(&self, name: &str) -> bool {
        match &self.glob {
            Some(g) => g.matches(name),
            None => self.text == name,
        }
    }

    /// Whether the entry is a glob rather than an exact name.
    pub fn is_glob(&self) -> bool {
        self.glob.is_some()
    }
}

/// `[tax] no_rows`: the evaluated tax of a registered enterprise with no row in the tax table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoTaxRows {
    /// 0 (it paid nothing the tax bureau recorded), with a warning; the default.
    #[default]
    Zero,
    /// Missing: the indicators on tax follow their `missing` rule.
    Missing,
}

/// How a tax type is treated, and which entry decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxVerdict {
    /// Counted.
    Counted,
    /// Left out: `include` is given and no entry matches.
    NotIncluded,
    /// Left out by `exclude[i]`.
    Excluded(usize),
}

/// The compiled `[tax]` section.
#[derive(Debug, Clone, Default)]
pub struct TaxRules {
    /// `include`: the types counted; `None` counts every type.
    pub include: Option<Vec<TaxPattern>>,
    /// `exclude`: the types left out, tried after `include`.
    pub exclude: Vec<TaxPattern>,
    /// `no_rows`: an enterprise without tax rows has 0 (default) or missing.
    pub no_rows: NoTaxRows,
}

impl TaxRules {
    /// The verdict on the tax type `name`: not included, else excluded by the first matching
    /// `exclude` entry, else counted.
    pub fn verdict(&self, name: &str) -> TaxVerdict {
        if self.include.as_ref().is_some_and(|inc| !inc.iter().any(|p| p.matches(name))) {
            return TaxVerdict::NotIncluded;
        }
        match self.exclude.iter().position(|p| p.matches(name)) {
            Some(i) => TaxVerdict::Excluded(i),
            None => TaxVerdict::Counted,
        }
    }

    /// The verdict in words for 问题清单 and the 规则 sheet ("按 tax.exclude「*一次性*」剔除").
    pub fn verdict_text(&self, v: TaxVerdict) -> String {
        match v {
            TaxVerdict::Counted => "计入".into(),
            TaxVerdict::NotIncluded => "不在 tax.include 所列税种中，不计入".into(),
            TaxVerdict::Excluded(i) => format!("按 tax.exclude「{}」剔除", self.exclude[i].text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(include: Option<&[&str]>, exclude: &[&str]) -> TaxRules {
        let p = |l: &[&str]| l.iter().map(|t| TaxPattern::parse(t).unwrap()).collect::<Vec<_>>();
        TaxRules { include: include.map(p), exclude: p(exclude), no_rows: NoTaxRows::Zero }
    }

    #[test]
    fn a_glob_catches_every_one_off_type_and_an_exact_name_only_itself() {
        let r = rules(None, &["稽查查补", "*一次性*"]);
        for t in
            ["政策性搬迁一次性税收", "房产土地转让一次性税收", "股权转让一次性税收", "一次性税收"]
        {
            assert_eq!(r.verdict(t), TaxVerdict::Excluded(1), "{t}");
        }
        assert_eq!(r.verdict("稽查查补"), TaxVerdict::Excluded(0));
        assert_eq!(r.verdict("稽查查补税款"), TaxVerdict::Counted);
        assert_eq!(r.verdict("增值税"), TaxVerdict::Counted);
        assert_eq!(r.verdict_text(TaxVerdict::Excluded(1)), "按 tax.exclude「*一次性*」剔除");
    }

    #[test]
    fn include_is_tried_first_and_a_question_mark_is_one_character() {
        let r = rules(Some(&["增值税", "??所得税"]), &["个人所得税"]);
        assert_eq!(r.verdict("企业所得税"), TaxVerdict::Counted);
        assert_eq!(r.verdict("个人所得税"), TaxVerdict::Excluded(0));
        assert_eq!(r.verdict("印花税"), TaxVerdict::NotIncluded);
        assert_eq!(r.verdict("外商企业所得税"), TaxVerdict::NotIncluded);
    }

    #[test]
    fn an_unclosed_bracket_or_a_blank_entry_is_refused_in_chinese() {
        let e = TaxPattern::parse("[一次性").unwrap_err();
        assert!(e.contains("不是有效的通配符写法"), "{e}");
        assert_eq!(TaxPattern::parse("  ").unwrap_err(), "税种不能为空");
    }
}
