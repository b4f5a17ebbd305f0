//! Checks of a formula or condition around polars' SQL expression parser: size limits before
//! parsing, polars' English errors in Chinese (without the "Resolved plan" dump), and divisors
//! that are constant zero.

use polars::prelude::*;

use crate::ingest::schema::FORMULA_FIELDS;

/// Engine safety limit, not a policy setting: the longest formula or condition, in characters.
/// Polars turns an expression into a tree and walks it recursively; thousands of chained terms
/// (`tax + tax + …`) overflow the stack. The longest bundled condition is about 100 characters.
pub const MAX_EXPR_CHARS: usize = 1000;

/// Engine safety limit, not a policy setting: the deepest nesting of parentheses.
pub const MAX_EXPR_DEPTH: usize = 20;

/// Refuse a text too long or too deeply nested to parse safely.
pub fn check_size(src: &str) -> Result<(), String> {
    let chars = src.chars().count();
    if chars > MAX_EXPR_CHARS {
        return Err(format!("表达式过长（{chars} 个字符，超过 {MAX_EXPR_CHARS} 个字符的上限），请简化或拆成几个指标"));
    }
    let depth = nesting(src);
    if depth > MAX_EXPR_DEPTH {
        return Err(format!(
            "表达式嵌套过深（括号嵌套 {depth} 层，超过 {MAX_EXPR_DEPTH} 层的上限），请简化"
        ));
    }
    Ok(())
}

/// The deepest parenthesis nesting outside quoted text.
fn nesting(src: &str) -> usize {
    let (mut depth, mut deepest, mut quoted) = (0usize, 0usize, false);
    for c in src.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn field_names() -> Vec<&'static str> {
    FORMULA_FIELDS.iter().map(|(n, _)| *n).collect()
}

/// Why polars could not parse `src`, in Chinese.
pub fn parse_error(src: &str, err: &PolarsError) -> String {
    let text = err.to_string();
    let detail = if let Some(f) = quoted_after(&text, "unsupported function '") {
        format!("函数「{f}」不可用（可用如 CASE WHEN、ABS、ROUND、LEAST、GREATEST、COALESCE）")
    } else if text.contains("recursion limit") {
        "嵌套过深".to_string()
    } else if text.contains("found '") && text.contains("clause") {
        "这里只能写一个表达式，不能写 SELECT、FROM、WHERE 等子句".to_string()
    } else {
        "SQL 写法有误（检查运算符、括号、引号；文本值用单引号，如 scale = '规上'）".to_string()
    };
    format!("无法解析表达式「{src}」：{detail}")
}

/// Why polars refused `src` against the field schema, in Chinese.
pub fn schema_error(src: &str, err: &PolarsError) -> String {
    let fields = field_names();
    let text = err.to_string();
    let detail = if let Some(name) = quoted_after(&text, "unable to find column \"") {
        format!("字段「{name}」不存在{}", super::toml_error::suggestion(&name, &fields))
    } else if let Some(f) = quoted_after(&text, "unsupported function '") {
        format!("函数「{f}」不可用")
    } else if text.contains("arithmetic on") {
        let side = |s: &str| quoted_after(&text, s).map(|c| format!("「{c}」")).unwrap_or_default();
        format!("文本字段不能参与加减乘除（{}与{}）", side("lhs: column '"), side("rhs: column '"))
    } else {
        "无法计算：字段类型不匹配（如文本字段参与加减乘除）或函数的参数不对".to_string()
    };
    format!("表达式「{src}」无效：{detail}；可用字段：{}", fields.join(", "))
}

/// The text after `open` up to the next quote character of the same kind.
fn quoted_after(text: &str, open: &str) -> Option<String> {
    let rest = &text[text.find(open)? + open.len()..];
    let close = open.chars().last()?;
    Some(rest[..rest.find(close)?].to_string())
}

/// A divisor that does not use any field and is 0 or empty (`tax / 0`, `tax / (1 - 1)`):
/// every enterprise's value would be missing.
pub fn constant_zero_divisor(e: &Expr) -> Option<String> {
    e.into_iter().find_map(|node| match node {
        Expr::BinaryExpr { op: Operator::TrueDivide | Operator::RustDivide | Operator::FloorDivide | Operator::Modulus, right, .. } => {
            let constant = right.as_ref().into_iter().all(|n| matches!(n, Expr::Literal(_) | Expr::BinaryExpr { .. } | Expr::Cast { .. }));
            match constant.then(|| constant_value(right)) {
                Some(Some(v)) if v != 0.0 && v.is_finite() => None,
                Some(Some(v)) => Some(format!("{v}")),
                Some(None) => Some("空值".to_string()),
                None => None,
            }
        }
        _ => None,
    })
}

/// The value of a field-free expression (`None`: empty or not a number).
fn constant_value(e: &Expr) -> Option<f64> {
    let one_row = DataFrame::new(1, vec![]).ok()?;
    let out =
        one_row.lazy().select([e.clone().cast(DataType::Float64).alias("__v")]).collect().ok()?;
    out.column("__v").ok()?.f64().ok()?.get(0)
}
