//! The input contract of ../shared/spec/INPUTS.md: which tables exist, their standard Chinese
//! headers, the internal column names the engine (and rule formulas) use, and each column's type
//! and standard unit. This is data-format knowledge, not policy: policy lives in `rules/`.

/// The kind of an input table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableKind {
    Register,
    Land,
    Tax,
    Output,
    Energy,
    Events,
    Adjust,
}

impl TableKind {
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
        matches!(self, TableKind::Register | TableKind::Output | TableKind::Energy | TableKind::Adjust)
    }

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// 统一社会信用代码 (normalised and validated)
    Code,
    Text,
    Date,
    /// Non-negative number in the quantity's standard unit.
    Number(Quantity),
    /// Number that may be negative (tax refunds, losses).
    SignedNumber(Quantity),
}

#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Internal name, used in rule formulas and conditions.
    pub key: &'static str,
    /// Standard Chinese header without unit.
    pub header: &'static str,
    /// Other headers seen in department exports.
    pub aliases: &'static [&'static str],
    pub ty: ColumnType,
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
const SRC_NAME: ColumnSpec = col("src_name", "企业名称", &["纳税人名称", "单位名称", "企业名"], ColumnType::Text, false);

const CODE_ALIASES: &[&str] = &["信用代码", "社会信用代码", "统一代码", "纳税人识别号", "统一社会信用代码(纳税人识别号)"];

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
    col("amount", "实缴税额", &["实缴税金", "入库税额", "税额", "实缴金额"], SignedNumber(Money), true),
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

const ADJUST: &[ColumnSpec] = &[
    col("code", "统一社会信用代码", CODE_ALIASES, Code, true),
    SRC_NAME,
    col("adj_tier", "调整后等级", &["调整等级", "调档后等级"], Text, true),
    col("adj_reason", "理由", &["调整理由", "调档理由", "原因"], Text, true),
];

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
            "平方米" | "m2" | "m²" | "㎡" => Some(15.0 / 10000.0),
            "公顷" | "hm2" | "hm²" => Some(15.0),
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
    }
}

/// Fields available to rule formulas and conditions, with their Chinese meaning, for README and
/// the 规则 sheet.
pub const FORMULA_FIELDS: &[(&str, &str)] = &[
    ("land_mu", "评价用地面积(亩) = Σ 用地面积 × 用地方式系数"),
    ("tax", "计入的实缴税额(万元)"),
    ("output_value", "工业总产值(万元)"),
    ("revenue", "营业收入(万元)"),
    ("value_added", "工业增加值(万元)"),
    ("profit", "利润总额(万元)"),
    ("rd", "研发经费支出(万元)"),
    ("employees", "年平均职工人数(人)"),
    ("energy", "综合能耗(吨标准煤)"),
    ("electricity", "用电量(万千瓦时)"),
    ("cod", "化学需氧量(吨)"),
    ("so2", "二氧化硫(吨)"),
    ("nh3n", "氨氮(吨)"),
    ("nox", "氮氧化物(吨)"),
    ("pollutants", "主要污染物合计(吨) = 化学需氧量+二氧化硫+氨氮+氮氧化物（四项皆缺时为空）"),
    ("scale", "企业规模(文本: 规上/规下)"),
    ("park", "所属园区(文本)"),
    ("town", "所属乡镇街道(文本)"),
    ("industry_code", "行业代码(文本)"),
    ("division", "行业大类(行业代码前两位, 整数)"),
    ("years_since_registration", "成立年限(年, 截至评价年度12月31日)"),
    ("years_since_production", "投产年限(年, 截至评价年度12月31日)"),
];
