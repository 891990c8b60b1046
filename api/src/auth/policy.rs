//! What a new password must be (issue 10): at least 10 characters, not in a list of common
//! passwords (compared without case, spaces or the digits and symbols people tack on), and not
//! the username. One-time passwords are generated here too.

use rand::Rng;

pub const MIN_LENGTH: usize = 10;

/// Passwords (and stems) people choose first; a candidate is refused when it is one of these,
/// or one of these with digits and symbols added at the end.
const COMMON: &[&str] = &[
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "0123456789",
    "987654321",
    "111111",
    "000000",
    "123123",
    "112233",
    "147258369",
    "password",
    "passw0rd",
    "password1",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx",
    "abc123",
    "abcd1234",
    "iloveyou",
    "admin",
    "administrator",
    "welcome",
    "letmein",
    "changeme",
    "matkhau",
    "mat-khau",
    "matkhaumoi",
    "doimatkhau",
    "dinhdanh",
    "sogddt",
    "phonggddt",
    "truonghoc",
    "giaovien",
    "hocsinh",
    "vietnam",
    "anhyeuem",
    "emyeuanh",
    "yeuem",
    "iloveu",
    "demo",
    "test",
    "guest",
    "root",
    "haiphong",
    "hanoi",
    "saigon",
    "hochiminh",
    "thcs",
    "thpt",
    "tieuhoc",
    "mamnon",
    "qwe123",
    "aaaaaa",
    "asd123",
];

/// Why a password is refused (Vietnamese), or `None` when it may be used.
pub fn refusal(username: &str, password: &str) -> Option<&'static str> {
    if password.chars().count() < MIN_LENGTH {
        return Some("Mật khẩu phải có ít nhất 10 ký tự.");
    }
    if password.chars().count() > 256 {
        return Some("Mật khẩu dài quá 256 ký tự.");
    }
    let folded: String = password.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    let user = username.trim().to_lowercase();
    if !user.is_empty() && (folded == user || user.chars().count() >= 4 && folded.contains(&user)) {
        return Some("Mật khẩu không được là tên đăng nhập.");
    }
    let stem = folded.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let stem = stem.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if COMMON.contains(&folded.as_str()) || stem.chars().count() < 4 || COMMON.contains(&stem) || one_repeated(&folded)
    {
        return Some("Mật khẩu quá phổ biến, dễ đoán; hãy chọn mật khẩu khác.");
    }
    None
}

/// True when the text is one character repeated (`aaaaaaaaaa`).
fn one_repeated(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|first| chars.all(|c| c == first))
}

/// A one-time password: 12 characters from an alphabet without look-alikes (no 0/O, 1/l/I),
/// in groups of four (`k7pq-m3xt-9wha`), easy to read aloud and type.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..12).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("truong-a1", "Hoa-Phuong-Do-2026", true),
            ("truong-a1", "k7pq-m3xt-9wha", true),
            ("truong-a1", "ngắn-quá", false),
            ("truong-a1", "123456789", false),
            ("truong-a1", "1234567890", false),
            ("truong-a1", "123456789a", false),
            ("truong-a1", "Password123!", false),
            ("truong-a1", "matkhau@2026", false),
            ("truong-a1", "QWERTYUIOP", false),
            ("truong-a1", "aaaaaaaaaaaa", false),
            ("truong-a1", "Truong-A1", false),
            ("truong-a1", "truong-a1-2026", false),
            ("sogd-admin", "2026dinhdanh!!", false),
            ("sogd-admin", "Cây đa bến nước sân đình", true),
        ];
        for (user, pw, ok) in cases {
            assert_eq!(refusal(user, pw).is_none(), *ok, "{user} / {pw}: {:?}", refusal(user, pw));
        }
    }

    #[test]
    fn one_time_passwords_pass_the_policy_and_differ() {
        let a = one_time_password();
        let b = one_time_password();
        assert_ne!(a, b);
        assert_eq!(a.len(), 14);
        assert!(refusal("someone", &a).is_none(), "{a}");
        assert!(!a.contains(['0', 'o', '1', 'l', 'i']));
    }
}
