//! The input contract documented in docs/INPUTS.md: which tables exist, their standard Chinese
//! headers, the internal column names the engine (and rule formulas) use, and each column's type
//! and standard unit. This is data-format knowledge, not policy: policy lives in `rules/`.

/// The kind of an input table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableKind {
    /// 企业名录: one row per enterprise (name, park, industry code, 规上/规下, dates); the table
    /// every evaluation needs.
    Register,
    /// 用地: one row per parcel and use (自有, 承租, 出租), area in 亩.
    Land,
    /// 税收: one row per enterprise and tax type (a wide sheet is reshaped), amounts in 万元.
    Tax,
    /// 产出: one row per enterprise from the statistics bureau (output, revenue, profit, R&D…).
    Output,
    /// 能耗: one row per enterprise: energy use, electricity and main pollutants.
    Energy,
    /// 加减分事项: optional, one row per bonus or penalty event (green factory, accident…).
    Events,
    /// 调档: optional, one row per tier set by hand, with its reason.
    Adjust,
}

impl TableKind {
    /// Every evaluation table, in the order ingest builds them and `template` writes them.
    pub const ALL: [TableKind; 7] = [
        TableKind::Register,
        TableKind::Land,
        TableKind::Tax,
        TableKind::Output,
        TableKind::Energy,
        TableKind::Events,
        TableKind::Adjust,
    ];

    /// Standard Chinese table name (also the sheet / file name `template` writes).
    pub fn name(self) -> &'static str {
        match self {
            TableKind::Register => "企业名录",
            TableKind::Land => "用地",
            TableKind::Tax => "税收",
            TableKind::Output => "产出",
            TableKind::Energy => "能耗",
            TableKind::Events => "加减分事项",
            TableKind::Adjust => "调档",
        }
    }

    /// Words that identify the table in a sheet or file name.
    pub fn name_hints(self) -> &'static [&'static str] {
        match self {
            TableKind::Register => &["企业名录", "名录", "企业名单", "参评企业"],
            TableKind::Land => &["用地", "土地"],
            TableKind::Tax => &["税收", "纳税", "税务"],
            TableKind::Output => &["产出", "统计", "产值"],
            TableKind::Energy => &["能耗", "排放", "用电"],
            TableKind::Events => &["加减分", "事项", "奖惩"],
            TableKind::Adjust => &["调档", "调整"],
        }
    }

    /// True when a table holds at most one row per enterprise.
    pub fn one_row_per_enterprise(self) -> bool {
        matches!(
            self,
            TableKind::Register | TableKind::Output | TableKind::Energy | TableKind::Adjust
        )
    }

    /// The table's columns, in template order.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            TableKind::Register => REGISTER,
            TableKind::Land => LAND,
            TableKind::Tax => TAX,
            TableKind::Output => OUTPUT,
            TableKind::Energy => ENERGY,
            TableKind::Events => EVENTS,
            TableKind::Adjust => ADJUST,
        }
    }
}

/// Tables read by other commands than `evaluate`: the land bureau's 标准地 projects
/// (`mujun land`). They are kept apart from [`TableKind`] so that evaluate, check and template
/// are unchanged, but ingest still recognises them (by sheet or file name, else by headers) so a
/// 标准地 file in the data folder is never mistaken for 用地 and its rows are accounted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuxKind {
    /// 标准地: one row per parcel/project sold as standard land.
    StdLand,
}

impl AuxKind {
    /// Every auxiliary table.
    pub const ALL: [AuxKind; 1] = [AuxKind::StdLand];

    /// Standard Chinese table name (sheet or file name that identifies it).
    pub fn name(self) -> &'static str {
        match self {
            AuxKind::StdLand => "标准地",
        }
    }

    /// Words that identify the table in a sheet or file name.
    pub fn name_hints(self) -> &'static [&'static str] {
        match self {
            AuxKind::StdLand => &["标准地"],
        }
    }

    /// The table's columns, in template order.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            AuxKind::StdLand => STD_LAND,
        }
    }

    /// The command that uses the table (named in evaluate's 数据核对).
    pub fn used_by(self) -> &'static str {
        match self {
            AuxKind::StdLand => "mujun land",
        }
    }
}

/// Any table ingest recognises: an evaluation input or an auxiliary table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AnyKind {
    /// A table `evaluate` reads.
    Eval(TableKind),
    /// A table for another command (标准地).
    Aux(AuxKind),
}

impl AnyKind {
    /// Auxiliary tables first: their name hints are more specific (标准地 before 用地/土地).
    pub fn all() -> impl Iterator<Item = AnyKind> {
        AuxKind::ALL
            .into_iter()
            .map(AnyKind::Aux)
            .chain(TableKind::ALL.into_iter().map(AnyKind::Eval))
    }
    /// Standard Chinese table name, as [`TableKind::name`].
    pub fn name(self) -> &'static str {
        match self {
            AnyKind::Eval(k) => k.name(),
            AnyKind::Aux(k) => k.name(),
        }
    }
    /// Words that identify the table in a sheet or file name.
    pub fn name_hints(self) -> &'static [&'static str] {
        match self {
            AnyKind::Eval(k) => k.name_hints(),
            AnyKind::Aux(k) => k.name_hints(),
        }
    }
    /// The table's columns, in template order.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            AnyKind::Eval(k) => k.columns(),
            AnyKind::Aux(k) => k.columns(),
        }
    }
    /// True when a table holds at most one row per enterprise (never for auxiliary tables).
    pub fn one_row_per_enterprise(self) -> bool {
        match self {
            AnyKind::Eval(k) => k.one_row_per_enterprise(),
            AnyKind::Aux(_) => false,
        }
    }
    /// A row whose 统一社会信用代码 is blank or invalid is kept (with a warning) rather than
    /// rejected: a 标准地 parcel is checked by its 宗地编号 whoever holds it.
    pub fn code_optional(self) -> bool {
        matches!(self, AnyKind::Aux(AuxKind::StdLand))
    }
}

/// Physical quantity of a numeric column, for unit conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// 万元
    Money,
    /// 亩
    Area,
    /// 万千瓦时
    Electricity,
    /// 吨标准煤
    Energy,
    /// 吨
    Mass,
    /// 人
    Count,
    /// 平方米 (building and site areas of 标准地)
    SquareMetre,
    /// 万元/亩 (investment intensity, output and tax per mu)
    PerMu,
    /// A plain ratio (容积率); a `%` header divides by 100.
    Ratio,
    /// A share of a whole, at most 1 (建筑系数); a `%` header divides by 100.
    Share,
    /// 年
    Years,
}

/// How a column's cells are read and typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// 统一社会信用代码 (normalised and validated)
    Code,
    /// Free text: names and notes as written, key-like values (park, scale, tax type) normalised.
    Text,
    /// A date (2024-01-05, 2024/1/5, 2024年1月5日, 20240105 or an Excel serial), stored as days
    /// since 1970-01-01.
    Date,
    /// Non-negative number in the quantity's standard unit.
    Number(Quantity),
    /// Number that may be negative (tax refunds, losses).
    SignedNumber(Quantity),
}

/// One column of an input table: its internal key, the headers that name it, its type and
/// whether it is required.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Internal name, used in rule formulas and conditions.
    pub key: &'static str,
    /// Standard Chinese header without unit.
    pub header: &'static str,
    /// Other headers seen in department exports.
    pub aliases: &'static [&'static str],
    /// How its cells are typed (and, for numbers, the unit they are converted to).
    pub ty: ColumnType,
    /// The header must be present for a sheet to be read as the table, and a row without a
    /// value here is left out with a warning (企业名录 text columns are only warned about).
    pub required: bool,
}

const fn col(
    key: &'static str,
    header: &'static str,
    aliases: &'static [&'static str],
    ty: ColumnType,
    required: bool,
) -> ColumnSpec {
    ColumnSpec { key, header, aliases, ty, required }
}

/// Optional enterprise name in department tables, checked against the register.
const SRC_NAME: ColumnSpec =
    col("src_name", "企业名称", &["纳税人名称", "单位名称", "企业名"], ColumnType::Text, false);

const CODE_ALIASES: &[&str] =
    &["信用代码", "社会信用代码", "统一代码", "纳税人识别号", "统一社会信用代码(纳税人识别号)"];

use ColumnType::*;
use Quantity::*;

const REGISTER: &[ColumnSpec] = &[
    col("code", "统一社会信用代码", CODE_ALIASES, Code, true),
    col("name", "企业名称", &["企业名", "单位名称", "纳税人名称"], Text, true),
    col("park", "所属园区", &["园区"], Text, true),
    col("town", "所属乡镇街道", &["乡镇街道", "所属乡镇"], Text, false),
    col("industry_code", "行业代码", &["国民经济行业代码", "行业分类代码"], Text, true),
    col("scale", "企业规模", &["规模", "是否规上"], Text, true),
    col("reg_date", "成立日期", &["注册日期", "登记日期"], Date, false),
    col("prod_date", "投产日期", &["投产时间"], Date, false),
    col("tags", "企业标签", &["特殊类型", "企业类型标签"], Text, false),
];

const LAND: &[ColumnSpec] = &[
    col("code", "统一社会信用代码", CODE_ALIASES, Code, true),
    SRC_NAME,
    col("parcel", "不动产权证号", &["土地证号", "产权证号", "不动产证号"], Text, false),
    col("land_use", "用地方式", &["使用方式", "权属"], Text, true),
    col("area_mu", "用地面积", &["面积", "土地面积", "占地面积"], Number(Area), true),
    col("counterparty", "对方统一社会信用代码", &["对方信用代码"], Text, false),
    col("supply_date", "供地日期", &[], Date, false),
];

const TAX: &[ColumnSpec] = &[
    col("code", "统一社会信用代码", CODE_ALIASES, Code, true),
    SRC_NAME,
    col("tax_type", "税种", &["征收项目", "税费种类"], Text, true),
    col(
        "amount",
        "实缴税额",
        &["实缴税金", "入库税额", "税额", "实缴金额"],
        SignedNumber(Money),
        true,
    ),
];

const OUTPUT: &[ColumnSpec] = &[
    col("code", "统一社会信用代码", CODE_ALIASES, Code, true),
    SRC_NAME,
    col("output_value", "工业总产值", &["总产值"], Number(Money), false),
    col("revenue", "营业收入", &["主营业务收入", "销售收入"], Number(Money), false),
    col("value_added", "工业增加值", &["增加值"], Number(Money), false),
    col("profit", "利润总额", &["利润"], SignedNumber(Money), false),
    col("rd", "研发经费支出", &["R&D经费支出", "研发费用", "研发投入"], Number(Money), false),
    col("employees", "年平均职工人数", &["从业人员平均人数", "职工人数"], Number(Count), false),
    col("tech_investment", "技术改造投资", &["技改投资", "技术改造投资额"], Number(Money), false),
];

const ENERGY: &[ColumnSpec] = &[
    col("code", "统一社会信用代码", CODE_ALIASES, Code, true),
    SRC_NAME,
    col("energy", "综合能耗", &["能源消费量", "综合能源消费量"], Number(Energy), false),
    col("electricity", "用电量", &["用电", "电力消费量"], Number(Electricity), false),
    col("cod", "化学需氧量", &["COD"], Number(Mass), false),
    col("so2", "二氧化硫", &["SO2"], Number(Mass), false),
    col("nh3n", "氨氮", &["NH3-N"], Number(Mass), false),
    col("nox", "氮氧化物", &["NOX"], Number(Mass), false),
];

const EVENTS: &[ColumnSpec] = &[
    col("code", "统一社会信用代码", CODE_ALIASES, Code, true),
    SRC_NAME,
    col("event", "事项", &["加减分事项", "事项名称"], Text, true),
    col("event_date", "日期", &["发生日期", "认定日期"], Date, false),
    col("note", "说明", &["备注"], Text, false),
];

/// 标准地 (docs/INPUTS.md), with two optional columns the land checks need:
/// 行政办公及生活服务设施建筑面积 (used when the office land cannot be separated:
/// 行政办公及生活服务设施用地面积 left blank) and 停工日期 (the date work stopped, for idle land of
/// a started project).
const STD_LAND: &[ColumnSpec] = &[
    // The code comes first: ingest reads the code from the first column spec.
    col("code", "统一社会信用代码", CODE_ALIASES, Code, true),
    col("parcel_id", "宗地编号", &["地块编号", "宗地号", "地块号"], Text, true),
    SRC_NAME,
    col("project", "项目名称", &["项目"], Text, false),
    col("industry_code", "行业代码", &["国民经济行业代码", "行业分类代码"], Text, false),
    col("area_mu", "出让面积", &["宗地面积", "出让土地面积"], Number(Area), false),
    col("price", "出让价款", &["成交价款", "出让金", "土地出让金"], Number(Money), false),
    col("sale_date", "出让日期", &["合同签订日期", "成交日期"], Date, false),
    col("agreed_start", "约定开工日期", &["约定动工日期", "合同约定开工日期"], Date, false),
    col("agreed_completion", "约定竣工日期", &["合同约定竣工日期"], Date, false),
    col("actual_start", "实际开工日期", &["实际动工日期", "开工日期"], Date, false),
    col("actual_completion", "实际竣工日期", &["竣工日期", "竣工验收日期"], Date, false),
    col("stop_date", "停工日期", &["中止开发日期", "停建日期"], Date, false),
    col(
        "agreed_intensity",
        "约定投资强度",
        &["约定固定资产投资强度", "合同约定投资强度"],
        Number(PerMu),
        false,
    ),
    col(
        "investment",
        "实际固定资产投资",
        &["实际投资", "已完成固定资产投资", "实际完成投资"],
        Number(Money),
        false,
    ),
    col("agreed_far", "约定容积率", &["合同约定容积率", "容积率下限"], Number(Ratio), false),
    col("floor_area", "总建筑面积", &["建筑面积"], Number(SquareMetre), false),
    col(
        "floor_area_high",
        "8米以上层建筑面积",
        &["层高超过8米建筑面积", "8米以上建筑面积"],
        Number(SquareMetre),
        false,
    ),
    col(
        "agreed_coverage",
        "约定建筑系数",
        &["合同约定建筑系数", "约定建筑密度"],
        Number(Share),
        false,
    ),
    col(
        "footprint",
        "建构筑物基底面积",
        &["建筑物构筑物基底面积", "建构筑物占地面积", "基底面积"],
        Number(SquareMetre),
        false,
    ),
    col(
        "open_yard",
        "露天堆场及操作场地面积",
        &["露天堆场和露天操作场地面积", "露天堆场面积"],
        Number(SquareMetre),
        false,
    ),
    col(
        "admin_land",
        "行政办公及生活服务设施用地面积",
        &["行政办公用地面积", "服务设施用地面积"],
        Number(SquareMetre),
        false,
    ),
    col(
        "admin_floor",
        "行政办公及生活服务设施建筑面积",
        &["行政办公建筑面积", "服务设施建筑面积"],
        Number(SquareMetre),
        false,
    ),
    col("green_area", "绿地面积", &["绿化面积"], Number(SquareMetre), false),
    col(
        "agreed_tax_per_mu",
        "约定亩均税收",
        &["合同约定亩均税收", "约定土地税收"],
        Number(PerMu),
        false,
    ),
    col(
        "agreed_output_per_mu",
        "约定亩均产值",
        &["合同约定亩均产值", "约定土地产出率"],
        Number(PerMu),
        false,
    ),
    col("production_years", "达产年限", &["约定达产年限"], Number(Years), false),
];

const ADJUST: &[ColumnSpec] = &[
    col("code", "统一社会信用代码", CODE_ALIASES, Code, true),
    SRC_NAME,
    col("adj_tier", "调整后等级", &["调整等级", "调档后等级"], Text, true),
    col("adj_reason", "理由", &["调整理由", "调档理由", "原因"], Text, true),
];

/// Square metres in one 公顷.
pub const M2_PER_HECTARE: f64 = 10000.0;
/// Square metres in one 亩 (exactly 10000/15: 1 公顷 = 15 亩). Every area conversion derives
/// from it.
pub const M2_PER_MU: f64 = M2_PER_HECTARE / 15.0;
/// 亩 in one 公顷 (15).
pub const MU_PER_HECTARE: f64 = M2_PER_HECTARE / M2_PER_MU;

/// A unit written in a header and its factor to the quantity's standard unit.
pub fn unit_factor(q: Quantity, unit: &str) -> Option<f64> {
    let u = unit.trim();
    match q {
        Money => match u {
            "万元" | "" => Some(1.0),
            "元" => Some(1e-4),
            "千元" => Some(1e-1),
            "亿元" => Some(1e4),
            _ => None,
        },
        Area => match u {
            "亩" | "" => Some(1.0),
            "平方米" | "m2" | "m²" | "㎡" => Some(1.0 / M2_PER_MU),
            "公顷" | "hm2" | "hm²" => Some(MU_PER_HECTARE),
            _ => None,
        },
        Electricity => match u {
            "万千瓦时" | "万kWh" | "万KWH" | "万度" | "" => Some(1.0),
            "千瓦时" | "kWh" | "KWH" | "度" => Some(1e-4),
            _ => None,
        },
        Energy => match u {
            "吨标准煤" | "吨标煤" | "tce" | "" => Some(1.0),
            "万吨标准煤" => Some(1e4),
            _ => None,
        },
        Mass => match u {
            "吨" | "t" | "" => Some(1.0),
            "千克" | "kg" | "公斤" => Some(1e-3),
            _ => None,
        },
        Count => match u {
            "人" | "" => Some(1.0),
            _ => None,
        },
        SquareMetre => match u {
            "平方米" | "m2" | "m²" | "㎡" | "" => Some(1.0),
            "万平方米" => Some(1e4),
            "亩" => Some(M2_PER_MU),
            "公顷" | "hm2" | "hm²" => Some(M2_PER_HECTARE),
            _ => None,
        },
        // 1 万元/公顷 = 1/15 万元/亩; 1 元/平方米 = 666.67 元/亩 = 1/15 万元/亩.
        PerMu => match u {
            "万元/亩" | "" => Some(1.0),
            "万元/公顷" | "元/平方米" | "元/m2" | "元/m²" | "元/㎡" => {
                Some(1.0 / MU_PER_HECTARE)
            }
            "元/亩" => Some(1e-4),
            _ => None,
        },
        Ratio | Share => match u {
            "" => Some(1.0),
            "%" => Some(0.01),
            _ => None,
        },
        Years => match u {
            "年" | "" => Some(1.0),
            "月" | "个月" => Some(1.0 / 12.0),
            _ => None,
        },
    }
}

/// Standard unit text of a quantity.
pub fn standard_unit(q: Quantity) -> &'static str {
    match q {
        Money => "万元",
        Area => "亩",
        Electricity => "万千瓦时",
        Energy => "吨标准煤",
        Mass => "吨",
        Count => "人",
        SquareMetre => "平方米",
        PerMu => "万元/亩",
        Ratio | Share => "",
        Years => "年",
    }
}

/// Fields available to rule formulas and conditions, with their Chinese meaning: the header a
/// report column shows (name and unit), then, after " = ", how the field is derived. The one
/// label table of enterprise fields ([`field_header`]).
pub const FORMULA_FIELDS: &[(&str, &str)] = &[
    ("land_mu", "评价用地面积(亩) = Σ 用地面积 × 用地方式系数"),
    ("tax", "计入实缴税额(万元)"),
    ("output_value", "工业总产值(万元)"),
    ("revenue", "营业收入(万元)"),
    ("value_added", "工业增加值(万元)"),
    ("profit", "利润总额(万元)"),
    ("rd", "研发经费支出(万元)"),
    ("employees", "年平均职工人数(人)"),
    ("tech_investment", "技术改造投资(万元)"),
    ("energy", "综合能耗(吨标准煤)"),
    ("electricity", "用电量(万千瓦时)"),
    ("cod", "化学需氧量(吨)"),
    ("so2", "二氧化硫(吨)"),
    ("nh3n", "氨氮(吨)"),
    ("nox", "氮氧化物(吨)"),
    ("pollutants", "主要污染物排放(吨) = 化学需氧量+二氧化硫+氨氮+氮氧化物（四项皆缺时为空）"),
    ("scale", "企业规模(文本: 规上/规下)"),
    ("park", "所属园区(文本)"),
    ("town", "所属乡镇街道(文本)"),
    ("industry_code", "行业代码(文本)"),
    ("division", "行业大类(行业代码前两位, 整数)"),
    ("tags", "企业标签(文本, 如“军工、垃圾焚烧”; 未填为空文本)"),
    ("registration_date", "成立日期(日期)"),
    ("production_date", "投产日期(日期)"),
    ("year_end", "评价年度末(日期, 评价年度12月31日)"),
    ("years_since_registration", "成立年限(年, 截至评价年度12月31日已满的整周年数)"),
    ("years_since_production", "投产年限(年, 截至评价年度12月31日已满的整周年数)"),
];

/// Enterprise quantities the reports show next to the scores, in column order.
pub const REPORT_FIELDS: &[&str] = &[
    "land_mu",
    "tax",
    "output_value",
    "revenue",
    "value_added",
    "profit",
    "rd",
    "employees",
    "energy",
    "electricity",
    "pollutants",
];

/// The column header of a field of [`FORMULA_FIELDS`] ("计入实缴税额(万元)"), its meaning without
/// the derivation; the key itself for an unknown field.
pub fn field_header(key: &str) -> &str {
    match FORMULA_FIELDS.iter().find(|(k, _)| *k == key) {
        Some((_, d)) => d.split(" = ").next().unwrap_or(d),
        None => key,
    }
}
