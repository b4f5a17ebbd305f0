//! 统一社会信用代码 (unified social credit code), GB 32100-2015.
//!
//! An 18-character code: 1 registration-authority char, 1 category char, 6-digit
//! administrative area code, 9-character body (organisation code) and a check
//! character computed over the first 17 characters with weights 3^(i-1) mod 31.
//!
//! The character set is the 31-character [`ALPHABET`] (digits and upper-case
//! letters without I, O, Z, S, V).

/// The 31 characters allowed in a credit code, in value order (value = index).
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights for positions 1..=17 (3^(i-1) mod 31).
pub const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Length of a complete code.
pub const CODE_LEN: usize = 18;

/// Why a (normalized) code is not a valid 统一社会信用代码.
#[derive(Debug, Clone, PartialEq)]
pub enum CodeProblem {
    /// The code does not have 18 characters; holds the actual count of characters.
    WrongLength(usize),
    /// A character outside [`ALPHABET`] (the first offending one).
    BadChar(char),
    /// The 18th character is not the check character of the first 17.
    BadCheck {
        /// The check character computed from the first 17 characters.
        expected: char,
        /// The 18th character as written.
        found: char,
    },
}

impl CodeProblem {
    /// Chinese description of the problem, for reports.
    pub fn message(&self) -> String {
        match self {
            CodeProblem::WrongLength(n) => format!("长度应为18位，实为{n}位"),
            CodeProblem::BadChar(c) => format!("含非法字符'{c}'"),
            CodeProblem::BadCheck { expected, found } => {
                format!("校验位应为'{expected}'，实为'{found}'")
            }
        }
    }
}

impl std::fmt::Display for CodeProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for CodeProblem {}

/// Value (0..31) of a character of [`ALPHABET`], or `None`.
pub fn char_value(c: char) -> Option<u32> {
    let v = match c {
        '0'..='9' => c as u32 - '0' as u32,
        'A'..='H' => c as u32 - 'A' as u32 + 10, // A=10 .. H=17
        'J'..='N' => c as u32 - 'J' as u32 + 18, // J=18 K L M N=22
        'P'..='R' => c as u32 - 'P' as u32 + 23, // P=23 Q R=25
        'T' | 'U' => c as u32 - 'T' as u32 + 26, // T=26 U=27
        'W'..='Y' => c as u32 - 'W' as u32 + 28, // W=28 X Y=30
        _ => return None,
    };
    Some(v)
}

/// Character of [`ALPHABET`] with value `v` (0..31).
fn value_char(v: u32) -> char {
    ALPHABET.as_bytes()[(v % 31) as usize] as char
}

/// Normalize raw input: drop all whitespace (including the full-width space
/// U+3000 and surrounding blanks), convert full-width ASCII forms
/// (U+FF01..=U+FF5E) to half-width, and upper-case ASCII letters.
pub fn normalize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_whitespace() || c == '\u{3000}' || c == '\u{FEFF}' {
            continue;
        }
        let c = match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// [`normalize`] without a copy when the code is already normal (ASCII digits and capitals).
pub fn normalize_cow(raw: &str) -> std::borrow::Cow<'_, str> {
    if raw.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()) {
        std::borrow::Cow::Borrowed(raw)
    } else {
        std::borrow::Cow::Owned(normalize(raw))
    }
}

/// Check character for the first 17 characters of a code. `None` if `first17`
/// does not have exactly 17 characters or holds a character outside [`ALPHABET`].
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum: u32 = 0;
    let mut n = 0usize;
    for c in first17.chars() {
        if n >= 17 {
            return None;
        }
        sum += char_value(c)? * WEIGHTS[n];
        n += 1;
    }
    if n != 17 {
        return None;
    }
    Some(value_char((31 - sum % 31) % 31))
}

/// Validate an already [`normalize`]d code.
pub fn validate(code: &str) -> Result<(), CodeProblem> {
    // The usual case, checked byte by byte: 18 characters of the alphabet with the right check
    // character (a province's tax table holds millions of codes). Anything else takes the
    // general path below, which finds the problem to report.
    if let [body @ .., last] = code.as_bytes() {
        if body.len() == CODE_LEN - 1 {
            let sum = body
                .iter()
                .zip(WEIGHTS)
                .try_fold(0u32, |sum, (&b, w)| char_value(b as char).map(|v| sum + v * w));
            if sum.is_some_and(|sum| value_char((31 - sum % 31) % 31) == *last as char) {
                return Ok(());
            }
        }
    }
    let n = code.chars().count();
    if n != CODE_LEN {
        return Err(CodeProblem::WrongLength(n));
    }
    if let Some(bad) = code.chars().find(|&c| char_value(c).is_none()) {
        return Err(CodeProblem::BadChar(bad));
    }
    // All 18 chars are ASCII from here on.
    let expected = check_char(&code[..17]).ok_or(CodeProblem::WrongLength(n))?;
    let found = code[17..].chars().next().ok_or(CodeProblem::WrongLength(n))?;
    if expected != found {
        return Err(CodeProblem::BadCheck { expected, found });
    }
    Ok(())
}

/// `true` if `code` (already normalized) is a valid credit code.
pub fn is_valid(code: &str) -> bool {
    validate(code).is_ok()
}

/// Append the check character to a 17-character body. `None` if the body is
/// not 17 characters of [`ALPHABET`].
pub fn make(body17: &str) -> Option<String> {
    let c = check_char(body17)?;
    let mut s = String::with_capacity(CODE_LEN);
    s.push_str(body17);
    s.push(c);
    Some(s)
}

/// Two integers that order codes as their text does: each half of the 18 characters read as a
/// base-31 number of [`ALPHABET`] values (whose order is the characters' byte order). `None` for
/// a text that is not 18 characters of the alphabet. Sorting by the pair is much cheaper than
/// sorting by the text.
pub fn order_key(code: &str) -> Option<(u64, u64)> {
    let b = code.as_bytes();
    if b.len() != CODE_LEN {
        return None;
    }
    let half = |part: &[u8]| {
        part.iter().try_fold(0u64, |acc, &c| Some(acc * 31 + u64::from(char_value(c as char)?)))
    };
    Some((half(&b[..CODE_LEN / 2])?, half(&b[CODE_LEN / 2..])?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabet_and_values_agree() {
        assert_eq!(ALPHABET.len(), 31);
        for (i, c) in ALPHABET.chars().enumerate() {
            assert_eq!(char_value(c), Some(i as u32), "{c}");
        }
        for c in ['I', 'O', 'Z', 'S', 'V', 'a', '-', '中'] {
            assert_eq!(char_value(c), None, "{c}");
        }
        // weights are 3^(i-1) mod 31
        let mut w = 1u32;
        for &x in WEIGHTS.iter() {
            assert_eq!(x, w);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn check_char_by_hand() {
        // Body 91500102MA5U7H4K1, values and weights:
        //  9*1=9   1*3=3   5*9=45  0*27=0  0*19=0  1*26=26  0*16=0  2*17=34
        //  M(21)*20=420  A(10)*29=290  5*25=125  U(27)*13=351  7*8=56
        //  H(17)*24=408  4*10=40  K(19)*30=570  1*28=28
        // sum = 117 + 420 + 290 + 125 + 351 + 56 + 408 + 40 + 570 + 28 = 2405
        // 2405 = 31*77 + 18  → 2405 mod 31 = 18;  (31 - 18) mod 31 = 13 → ALPHABET[13] = 'D'
        assert_eq!(check_char("91500102MA5U7H4K1"), Some('D'));
        assert_eq!(make("91500102MA5U7H4K1").as_deref(), Some("91500102MA5U7H4K1D"));
        assert_eq!(validate("91500102MA5U7H4K1D"), Ok(()));

        // A widely published example: 91350100M000100Y43.
        // sum = 9 + 3 + 27 + 135 + 0 + 26 + 0 + 0 + 420 + 0 + 0 + 0 + 8 + 0 + 0 + 900 + 112 = 1640
        // 1640 = 31*52 + 28 → (31 - 28) mod 31 = 3 → '3'
        assert_eq!(check_char("91350100M000100Y4"), Some('3'));
        assert!(is_valid("91350100M000100Y43"));
    }

    #[test]
    fn order_key_orders_as_the_text() {
        // "000000001" = 1 and "00000000A" = 10 in base 31; 'Y' (30) is the largest value.
        assert_eq!(order_key("000000001000000000"), Some((1, 0)));
        assert_eq!(order_key("00000000000000000A"), Some((0, 10)));
        assert_eq!(order_key("0000000000000000Y0"), Some((0, 30 * 31)));
        assert_eq!(order_key("91500102MA5U7H4K1"), None, "17 characters");
        assert_eq!(order_key("91500102MA5U7H4KIO"), None, "I and O are not in the alphabet");
        // Every pair of characters, at the first, a middle and the last position.
        for at in [0, 8, 9, 17] {
            for a in ALPHABET.chars() {
                for b in ALPHABET.chars() {
                    let with = |c: char| {
                        let mut s = "91500102MA5U7H4K1D".to_string();
                        s.replace_range(at..at + 1, &c.to_string());
                        s
                    };
                    let (x, y) = (with(a), with(b));
                    assert_eq!(order_key(&x).cmp(&order_key(&y)), x.cmp(&y), "{x} vs {y}");
                }
            }
        }
    }

    /// Every way a code can fail is still told apart after the byte-by-byte fast path: a wrong
    /// check character (D is right for this body, see `check_char_by_hand`), a character
    /// outside the alphabet in the body or in the check position, a wrong length, and
    /// non-ASCII text of 18 bytes (six CJK characters).
    #[test]
    fn validate_reports_each_problem() {
        assert_eq!(validate("91500102MA5U7H4K1D"), Ok(()));
        assert_eq!(
            validate("91500102MA5U7H4K1E"),
            Err(CodeProblem::BadCheck { expected: 'D', found: 'E' })
        );
        assert_eq!(validate("91500102MA5U7H4KID"), Err(CodeProblem::BadChar('I')));
        assert_eq!(validate("91500102MA5U7H4K1Z"), Err(CodeProblem::BadChar('Z')));
        assert_eq!(validate("91500102MA5U7H4K1"), Err(CodeProblem::WrongLength(17)));
        assert_eq!(validate("91500102MA5U7H4K1DD"), Err(CodeProblem::WrongLength(19)));
        assert_eq!(validate("涪陵优腾机械"), Err(CodeProblem::WrongLength(6)));
        assert_eq!(validate(""), Err(CodeProblem::WrongLength(0)));
    }

    #[test]
    fn check_char_zero_case() {
        // When sum % 31 == 0 the check char is ALPHABET[0] = '0', not ALPHABET[31].
        // "00000000000000000" has sum 0.
        assert_eq!(check_char("00000000000000000"), Some('0'));
    }

    #[test]
    fn check_char_rejects_bad_input() {
        assert_eq!(check_char("9150010"), None);
        assert_eq!(check_char("91500102MA5U7H4K1D"), None); // 18 chars
        assert_eq!(check_char("91500102MA5U7H4KI"), None); // I not allowed
        assert_eq!(make("91500102MA5U7H4KO"), None);
        assert_eq!(make(""), None);
    }

    #[test]
    fn normalize_full_width_and_spaces() {
        let raw = "  ９１５００１０２ ＭＡ５Ｕ　７ｈ４ｋ１ｄ\t";
        assert_eq!(normalize(raw), "91500102MA5U7H4K1D");
        assert_eq!(validate(&normalize(raw)), Ok(()));
        assert_eq!(normalize("91500102ma5u7h4k1d"), "91500102MA5U7H4K1D");
        assert_eq!(normalize("9150 0102\u{3000}MA5U7H4K1D\n"), "91500102MA5U7H4K1D");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn problems() {
        assert_eq!(validate("91500102MA5U7H4K1"), Err(CodeProblem::WrongLength(17)));
        assert_eq!(CodeProblem::WrongLength(17).message(), "长度应为18位，实为17位");
        // Chinese characters count as characters, not bytes.
        assert_eq!(validate("重庆"), Err(CodeProblem::WrongLength(2)));

        assert_eq!(validate("91500102MA5U7H4KID"), Err(CodeProblem::BadChar('I')));
        assert_eq!(CodeProblem::BadChar('I').message(), "含非法字符'I'");
        assert_eq!(validate("91500102MA5U7H4K1中"), Err(CodeProblem::BadChar('中')));

        assert_eq!(
            validate("91500102MA5U7H4K1X"),
            Err(CodeProblem::BadCheck { expected: 'D', found: 'X' })
        );
        assert_eq!(
            CodeProblem::BadCheck { expected: 'X', found: 'Y' }.message(),
            "校验位应为'X'，实为'Y'"
        );
        assert_eq!(
            CodeProblem::BadCheck { expected: 'D', found: 'X' }.to_string(),
            "校验位应为'D'，实为'X'"
        );
    }

    #[test]
    fn every_single_substitution_is_detected() {
        // The mod-31 weighted check detects every single-character error.
        let good = "91500102MA5U7H4K1D";
        for pos in 0..17 {
            for c in ALPHABET.chars() {
                let mut s: Vec<char> = good.chars().collect();
                if s[pos] == c {
                    continue;
                }
                s[pos] = c;
                let s: String = s.into_iter().collect();
                assert!(!is_valid(&s), "{s}");
            }
        }
    }
}
