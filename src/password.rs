//! Passwords of the workbench's users: hashed with Argon2id (a random salt per password, the
//! library's default cost), kept as a PHC string; never stored or printed in clear.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The shortest password accepted.
pub const MIN_CHARS: usize = 8;

/// Why a password is not accepted, in Chinese; None when it is.
pub fn weakness(password: &str) -> Option<String> {
    let n = password.chars().count();
    if password.trim().is_empty() {
        Some("密码不能为空".into())
    } else if n < MIN_CHARS {
        Some(format!("密码至少 {MIN_CHARS} 个字符（现在 {n} 个）"))
    } else if password.trim() != password {
        Some("密码首尾不能是空格".into())
    } else {
        None
    }
}

/// The Argon2id hash of `password` (PHC string with its salt and parameters).
pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| "无法计算密码的散列值（程序内部错误）".to_string())
}

/// Whether `password` is the one `hash` was made from (false for a malformed hash).
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only_and_two_hashes_of_one_password_differ() {
        let (a, b) = (hash("园区密码2026").unwrap(), hash("园区密码2026").unwrap());
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "a random salt each time");
        assert!(verify("园区密码2026", &a) && verify("园区密码2026", &b));
        assert!(!verify("园区密码2025", &a));
        assert!(!verify("园区密码2026", "不是散列值"));
    }

    #[test]
    fn short_blank_or_padded_passwords_are_refused() {
        assert_eq!(weakness("1234567").unwrap(), "密码至少 8 个字符（现在 7 个）");
        assert_eq!(weakness("        ").unwrap(), "密码不能为空");
        assert!(weakness(" 12345678").is_some());
        // Eight characters, counted as characters (not bytes): 涪陵高新区2026 is 9.
        assert_eq!(weakness("涪陵高新区2026"), None);
    }
}
