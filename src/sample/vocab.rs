//! Fixed vocabularies of the sample generator: parks, townships, industries
//! (GB/T 4754-2017 classes of the Fuling "2349" clusters) and name parts.
//! All lists are slices (never hash maps) so iteration order is fixed.

/// Park name and weight (percent).
pub const PARKS: [(&str, u32); 3] = [("涪陵高新区", 50), ("白涛工业园区", 35), ("涪陵综保区", 15)];

/// Townships/streets per park (index = park index), with weights.
pub const TOWNS: [&[(&str, u32)]; 3] = [
    &[
        ("李渡街道", 30),
        ("龙桥街道", 20),
        ("江北街道", 10),
        ("荔枝街道", 10),
        ("崇义街道", 10),
        ("义和街道", 10),
        ("江东街道", 5),
        ("马武镇", 5),
    ],
    &[("白涛街道", 60), ("南沱镇", 15), ("焦石镇", 15), ("清溪镇", 10)],
    &[("龙桥街道", 70), ("李渡街道", 30)],
];

/// Industry clusters ("2349" system) with their economic character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cluster {
    Materials,
    ShaleGasEnergy,
    AutoShipEquip,
    Food,
    FineChem,
    Electronics,
    Pharma,
    Zhacai,
    Battery,
}

impl Cluster {
    /// Multiplier on value added per mu.
    pub fn va_mult(self) -> f64 {
        match self {
            Cluster::Materials => 1.1,
            Cluster::ShaleGasEnergy => 1.3,
            Cluster::AutoShipEquip => 0.9,
            Cluster::Food => 0.8,
            Cluster::FineChem => 1.1,
            Cluster::Electronics => 1.2,
            Cluster::Pharma => 1.2,
            Cluster::Zhacai => 0.6,
            Cluster::Battery => 1.0,
        }
    }
    /// Multiplier on tax / value added.
    pub fn tax_mult(self) -> f64 {
        match self {
            Cluster::Materials => 1.0,
            Cluster::ShaleGasEnergy => 1.4,
            Cluster::AutoShipEquip => 0.9,
            Cluster::Food => 0.9,
            Cluster::FineChem => 1.0,
            Cluster::Electronics => 0.8,
            Cluster::Pharma => 1.2,
            Cluster::Zhacai => 0.8,
            Cluster::Battery => 0.8,
        }
    }
    /// Range of value added per tonne of standard coal (万元/吨标煤), drawn log-uniformly.
    pub fn energy_productivity(self) -> (f64, f64) {
        match self {
            Cluster::Materials => (0.5, 3.0),
            Cluster::ShaleGasEnergy => (0.5, 3.0),
            Cluster::AutoShipEquip => (3.0, 8.0),
            Cluster::Food => (2.0, 6.0),
            Cluster::FineChem => (0.6, 3.0),
            Cluster::Electronics => (3.0, 8.0),
            Cluster::Pharma => (2.5, 8.0),
            Cluster::Zhacai => (3.0, 8.0),
            Cluster::Battery => (2.0, 6.0),
        }
    }
    /// Median value added per tonne of main pollutants (万元/吨).
    pub fn emission_productivity(self) -> f64 {
        match self {
            Cluster::Materials | Cluster::FineChem | Cluster::ShaleGasEnergy => 600.0,
            Cluster::Food | Cluster::Zhacai | Cluster::Pharma => 1500.0,
            Cluster::AutoShipEquip | Cluster::Battery => 4000.0,
            Cluster::Electronics => 6000.0,
        }
    }
}

/// One industry class: 4-digit GB/T 4754-2017 code, cluster, weight (‰ of
/// enterprises), words used in enterprise names.
pub struct Industry {
    pub code: &'static str,
    pub cluster: Cluster,
    pub weight: u32,
    pub words: &'static [&'static str],
}

const fn ind(
    code: &'static str,
    cluster: Cluster,
    weight: u32,
    words: &'static [&'static str],
) -> Industry {
    Industry { code, cluster, weight, words }
}

use Cluster::*;

/// Industries, weights in ‰ (they need not sum to 1000).
pub const INDUSTRIES: &[Industry] = &[
    // 先进材料
    ind("2614", Materials, 60, &["化工", "化学"]),
    ind("2651", Materials, 50, &["新材料", "塑胶", "树脂"]),
    ind("3252", Materials, 50, &["铝业", "铝材"]),
    ind("3340", Materials, 30, &["金属制品", "线缆"]),
    ind("3011", Materials, 30, &["建材", "水泥"]),
    ind("3130", Materials, 30, &["钢材", "钢构"]),
    ind("2653", Materials, 30, &["化纤", "新材料"]),
    ind("3091", Materials, 20, &["碳素", "石墨"]),
    // 页岩气及清洁能源 (44xx/45xx are utilities, normally exempt)
    ind("0721", ShaleGasEnergy, 25, &["页岩气开发", "天然气"]),
    ind("4411", ShaleGasEnergy, 10, &["电力", "发电"]),
    ind("4511", ShaleGasEnergy, 10, &["燃气", "天然气"]),
    // 汽车船舶及智能装备
    ind("3670", AutoShipEquip, 50, &["汽车零部件", "汽配", "机械"]),
    ind("3731", AutoShipEquip, 30, &["船舶", "船业"]),
    ind("3490", AutoShipEquip, 30, &["机械", "装备"]),
    ind("3599", AutoShipEquip, 30, &["智能装备", "装备制造"]),
    // 食品及农产品加工
    ind("1391", Food, 30, &["淀粉", "食品"]),
    ind("1523", Food, 30, &["饮料", "果汁"]),
    ind("1441", Food, 20, &["乳业", "乳品"]),
    ind("1432", Food, 20, &["食品", "冷链食品"]),
    ind("1512", Food, 20, &["酒业"]),
    // 精细化工
    ind("2662", FineChem, 40, &["精细化工", "化学品"]),
    ind("2631", FineChem, 20, &["农药", "农化"]),
    ind("2625", FineChem, 20, &["肥业", "农资"]),
    // 新一代电子信息
    ind("3974", Electronics, 30, &["光电", "显示科技"]),
    ind("3985", Electronics, 30, &["电子材料", "电子科技"]),
    ind("3982", Electronics, 10, &["电路科技"]),
    // 现代中药及生物制药
    ind("2740", Pharma, 30, &["药业", "制药"]),
    ind("2761", Pharma, 20, &["生物科技", "生物制药"]),
    ind("2730", Pharma, 10, &["中药饮片"]),
    // 榨菜
    ind("1453", Zhacai, 90, &["榨菜", "食品", "农业开发"]),
    // 新能源汽车动力电池及轻量化部件
    ind("3841", Battery, 30, &["电池", "锂电", "新能源科技"]),
    ind("3670", Battery, 20, &["轻量化科技", "汽车部件"]),
];

/// Name prefixes with weights.
pub const NAME_PREFIXES: [(&str, u32); 4] =
    [("重庆市涪陵区", 45), ("重庆", 35), ("重庆市", 10), ("涪陵", 10)];

/// Company-form suffixes with weights for (规上, 规下).
pub const NAME_SUFFIXES: [(&str, u32, u32); 3] =
    [("有限公司", 70, 80), ("有限责任公司", 15, 18), ("股份有限公司", 15, 2)];

/// One-character syllables for trade names (字号).
pub const SYLLABLES: &[&str] = &[
    "华", "鑫", "泰", "宏", "源", "达", "盛", "川", "江", "龙", "博", "瑞", "恒", "丰", "利", "嘉",
    "信", "和", "安", "德", "元", "银", "正", "永", "昌", "隆", "兴", "荣", "明", "辉", "晶", "润",
    "通", "海", "宇", "科", "创", "卓", "峰", "顺", "祥", "福", "康", "盈", "益", "合", "凯", "诚",
    "汇", "联", "远", "浩", "乾", "坤", "森", "林", "航", "晟", "翔", "锦", "美", "优", "佳", "立",
    "国", "长", "渝", "巴", "白", "乌", "蜀", "万", "力", "豪", "邦", "威", "腾", "钰", "骏", "欣",
];

/// Tax types in row order within an enterprise.
pub const TAX_VAT: &str = "增值税";
pub const TAX_CIT: &str = "企业所得税";
pub const TAX_PIT: &str = "个人所得税";
pub const TAX_RESOURCE: &str = "资源税";
pub const TAX_PROPERTY: &str = "房产税";
pub const TAX_LAND_USE: &str = "城镇土地使用税";
pub const TAX_STAMP: &str = "印花税";
pub const TAX_CITY: &str = "城市维护建设税";
pub const TAX_EDU: &str = "教育费附加";
pub const TAX_LOCAL_EDU: &str = "地方教育附加";
/// Not in the evaluated basket.
pub const TAX_AUDIT: &str = "稽查查补";
/// Not in the evaluated basket: one-off receipts as tax bureaus name them (a rule catches them
/// with `"*一次性*"`).
pub const TAX_ONE_OFF: [&str; 3] =
    ["政策性搬迁一次性税收", "房产土地转让一次性税收", "股权转让一次性税收"];

/// Bonus events with weights.
pub const BONUS_EVENTS: [(&str, u32); 6] = [
    ("高新技术企业", 35),
    ("专精特新中小企业", 25),
    ("市级绿色工厂", 15),
    ("省级绿色工厂", 10),
    ("专精特新\"小巨人\"", 8),
    ("国家级绿色工厂", 7),
];
pub const EVENT_ENV_VIOLATION: &str = "环境违法";
pub const EVENT_MINOR_ACCIDENT: &str = "一般安全事故";
pub const EVENT_MAJOR_ACCIDENT: &str = "重大安全事故";
pub const EVENT_DATA_FRAUD: &str = "数据造假";

/// Land use modes.
pub const LAND_OWNED: &str = "自有";
pub const LAND_LEASED_IN: &str = "承租";
pub const LAND_LEASED_OUT: &str = "出租";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocab_is_consistent() {
        for i in INDUSTRIES {
            assert_eq!(i.code.len(), 4);
            assert!(i.code.bytes().all(|b| b.is_ascii_digit()));
            assert!(!i.words.is_empty() && i.words.len() <= 15);
        }
        assert!(SYLLABLES.len() <= 255);
        // distinct syllables
        for (a, x) in SYLLABLES.iter().enumerate() {
            for y in &SYLLABLES[a + 1..] {
                assert_ne!(x, y);
            }
        }
        assert!(INDUSTRIES.iter().any(|i| i.code.starts_with("44")));
        assert!(INDUSTRIES.iter().any(|i| i.code.starts_with("45")));
    }
}
