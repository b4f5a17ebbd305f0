//! Bonus (加分), deduction (减分), downgrade (降档) and veto (一票否决) from the events table.
//! Each distinct event counts once per enterprise; points are capped per category, then in total.

use polars::prelude::*;

use crate::ingest::schema::TableKind;
use crate::ingest::{Dataset, Problem, Severity};
use crate::rules::{EventKind, Rules};

/// Column of [`per_enterprise`]: true when the enterprise has a veto (一票否决) event; it is then
/// put in the group's last tier.
pub const VETO: &str = "__veto";
/// Column of [`per_enterprise`]: tiers to move down (降档), the largest over its events.
pub const DOWN: &str = "__down";
/// Column of [`per_enterprise`] and the results: the enterprise's events as text, each with its
/// points, (一票否决) or (降档), joined by ； (the 加减分事项 column of 评价结果).
pub const NOTE: &str = "event_note";

fn kind_code(k: EventKind) -> &'static str {
    match k {
        EventKind::Bonus => "bonus",
        EventKind::Deduction => "deduction",
        EventKind::Veto => "veto",
        EventKind::Downgrade(_) => "downgrade",
    }
}

/// Per enterprise (by `__key`, see `Dataset::key_count`): `bonus`, `deduction`, `__veto` (bool),
/// `__down` (tiers), `event_note`.
pub fn per_enterprise(ds: &Dataset, rules: &Rules) -> PolarsResult<(LazyFrame, Vec<Problem>)> {
    let items = &rules.events.items;
    let items_df = DataFrame::new(
        items.len(),
        vec![
            Column::new("event".into(), items.iter().map(|i| i.event.clone()).collect::<Vec<_>>()),
            Column::new(
                "__kind".into(),
                items.iter().map(|i| kind_code(i.kind)).collect::<Vec<_>>(),
            ),
            Column::new("__points".into(), items.iter().map(|i| i.points).collect::<Vec<_>>()),
            Column::new(
                "__category".into(),
                items.iter().map(|i| i.category.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "__steps".into(),
                items
                    .iter()
                    .map(|i| if let EventKind::Downgrade(s) = i.kind { s as i32 } else { 0 })
                    .collect::<Vec<_>>(),
            ),
        ],
    )?;
    let events = ds.table(TableKind::Events).clone();

    // Events the rule file does not name are listed, not scored.
    let mut problems = Vec::new();
    let unknown = events
        .clone()
        .lazy()
        .join(
            items_df.clone().lazy(),
            [col("event")],
            [col("event")],
            JoinArgs::new(JoinType::Anti),
        )
        .collect()?;
    for i in 0..unknown.height() {
        let src = unknown.column("__src")?.u32()?.get(i).unwrap_or(0);
        let (file, sheet) = ds.locate(src);
        problems.push(Problem {
            severity: Severity::Info,
            table: "加减分事项".into(),
            file,
            sheet,
            row: unknown.column("__row")?.u32()?.get(i).map(|r| r as usize),
            column: "事项".into(),
            value: unknown.column("event")?.str()?.get(i).unwrap_or("").to_string(),
            message: "事项未在规则文件 events.items 中定义".into(),
            action: "不加分也不减分".into(),
        });
    }

    let matched = events
        .lazy()
        .select([col("__key"), col("event")])
        .unique_stable(None, UniqueKeepStrategy::First)
        .join(items_df.lazy(), [col("event")], [col("event")], JoinArgs::new(JoinType::Inner))
        .sort(["__key", "event"], SortMultipleOptions::default());

    let caps_df = DataFrame::new(
        rules.events.category_caps.len(),
        vec![
            Column::new(
                "__category".into(),
                rules.events.category_caps.keys().cloned().collect::<Vec<_>>(),
            ),
            Column::new(
                "__cap".into(),
                rules.events.category_caps.values().copied().collect::<Vec<_>>(),
            ),
        ],
    )?;
    let points = |kind: &str, total_cap: Option<f64>, name: &str| -> LazyFrame {
        let per_cat = matched
            .clone()
            .filter(col("__kind").eq(lit(kind)))
            .group_by([col("__key"), col("__category")])
            .agg([col("__points").sum().alias("__p")])
            .left_join(caps_df.clone().lazy(), col("__category"), col("__category"))
            .with_column(
                when(col("__cap").is_not_null().and(col("__p").gt(col("__cap"))))
                    .then(col("__cap"))
                    .otherwise(col("__p"))
                    .alias("__p"),
            );
        let total = col("__p").sum();
        let total = match total_cap {
            Some(c) => when(total.clone().gt(lit(c))).then(lit(c)).otherwise(total),
            None => total,
        };
        per_cat.group_by([col("__key")]).agg([total.alias(name)])
    };
    let bonus = points("bonus", rules.events.bonus_cap, "bonus");
    let deduction = points("deduction", rules.events.deduction_cap, "deduction");
    let flags = matched.clone().group_by([col("__key")]).agg([
        col("__kind").eq(lit("veto")).any(true).alias(VETO),
        col("__steps").max().alias(DOWN),
        concat_str(
            [
                col("event"),
                when(col("__kind").eq(lit("bonus")))
                    .then(lit("(+") + col("__points").cast(DataType::String) + lit(")"))
                    .when(col("__kind").eq(lit("deduction")))
                    .then(lit("(-") + col("__points").cast(DataType::String) + lit(")"))
                    .when(col("__kind").eq(lit("veto")))
                    .then(lit("(一票否决)"))
                    .otherwise(lit("(降档)")),
            ],
            "",
            true,
        )
        .str()
        .join("；", true)
        .alias(NOTE),
    ]);
    let out = flags.left_join(bonus, col("__key"), col("__key")).left_join(
        deduction,
        col("__key"),
        col("__key"),
    );
    Ok((out, problems))
}
