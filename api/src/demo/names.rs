//! Vietnamese personal names the way registers in the North look, from common knowledge:
//! frequency-weighted surnames (Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 %, …), middle and given
//! names by gender, older and younger generations (children are rarely "Văn"/"Thị" today).

use rand::Rng;
use rand::distr::{Distribution, weighted::WeightedIndex};

/// Surnames with weights in per-mille, Northern distribution (Vũ, Đỗ, Bùi more, Huỳnh less).
pub const SURNAMES: &[(&str, u32)] = &[
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 71),
    ("Hoàng", 51),
    ("Vũ", 39),
    ("Phan", 25),
    ("Đỗ", 24),
    ("Bùi", 22),
    ("Đặng", 21),
    ("Ngô", 13),
    ("Dương", 10),
    ("Đinh", 9),
    ("Đoàn", 9),
    ("Hà", 8),
    ("Lương", 7),
    ("Trịnh", 7),
    ("Mai", 6),
    ("Cao", 6),
    ("Lưu", 5),
    ("Tô", 5),
    ("Hồ", 5),
    ("Lý", 5),
    ("Phùng", 4),
    ("Tạ", 4),
    ("Nghiêm", 3),
    ("Vương", 3),
    ("Lã", 3),
    ("Quách", 2),
    ("Khúc", 2),
    ("Đào", 8),
    ("Chu", 3),
    ("Kiều", 2),
    ("Thái", 2),
    ("Huỳnh", 2),
];

const MIDDLE_MALE_CHILD: &[(&str, u32)] = &[
    ("Minh", 14),
    ("Đức", 10),
    ("Gia", 10),
    ("Văn", 8),
    ("Bảo", 9),
    ("Quang", 8),
    ("Hoàng", 7),
    ("Anh", 6),
    ("Tuấn", 5),
    ("Hải", 5),
    ("Trung", 5),
    ("Nhật", 5),
    ("Đăng", 5),
    ("Thành", 4),
    ("Hữu", 4),
    ("Xuân", 3),
    ("Tiến", 3),
    ("Khánh", 3),
    ("Thiên", 3),
    ("Duy", 3),
];

const MIDDLE_FEMALE_CHILD: &[(&str, u32)] = &[
    ("Ngọc", 12),
    ("Thị", 10),
    ("Bảo", 9),
    ("Minh", 8),
    ("Khánh", 8),
    ("Thu", 6),
    ("Phương", 6),
    ("Thanh", 6),
    ("Hà", 5),
    ("Thảo", 5),
    ("Diệu", 4),
    ("Mai", 4),
    ("Hoài", 4),
    ("Quỳnh", 4),
    ("Tuệ", 3),
    ("Gia", 4),
    ("An", 3),
    ("Kim", 3),
    ("Tường", 2),
    ("Hồng", 3),
];

const MIDDLE_MALE_ADULT: &[(&str, u32)] = &[
    ("Văn", 40),
    ("Đức", 10),
    ("Minh", 9),
    ("Quang", 7),
    ("Hữu", 7),
    ("Xuân", 6),
    ("Ngọc", 5),
    ("Thanh", 5),
    ("Mạnh", 4),
    ("Đình", 5),
    ("Công", 4),
    ("Trọng", 4),
    ("Thế", 3),
];

const MIDDLE_FEMALE_ADULT: &[(&str, u32)] = &[
    ("Thị", 45),
    ("Thu", 8),
    ("Ngọc", 7),
    ("Thanh", 7),
    ("Minh", 5),
    ("Hồng", 6),
    ("Phương", 5),
    ("Kim", 4),
    ("Bích", 3),
    ("Thuý", 3),
    ("Hải", 3),
    ("Lan", 2),
];

/// Given names (the last word). Spellings include the old and new tone placements seen in
/// real registers (Hoà/Hòa, Thuỷ/Thủy) and the i/y variants (Quý, Mỹ).
const GIVEN_MALE: &[(&str, u32)] = &[
    ("An", 6),
    ("Anh", 8),
    ("Bảo", 5),
    ("Bình", 4),
    ("Cường", 3),
    ("Dũng", 4),
    ("Duy", 4),
    ("Đạt", 6),
    ("Đức", 5),
    ("Hải", 4),
    ("Hiếu", 4),
    ("Hoàng", 4),
    ("Hùng", 4),
    ("Huy", 7),
    ("Khang", 5),
    ("Khánh", 4),
    ("Khoa", 4),
    ("Kiên", 3),
    ("Lâm", 4),
    ("Long", 5),
    ("Minh", 8),
    ("Nam", 6),
    ("Nghĩa", 3),
    ("Phong", 4),
    ("Phúc", 5),
    ("Quân", 6),
    ("Quang", 4),
    ("Sơn", 4),
    ("Tài", 3),
    ("Thắng", 3),
    ("Thành", 4),
    ("Thịnh", 3),
    ("Tiến", 3),
    ("Trung", 4),
    ("Tuấn", 5),
    ("Việt", 4),
    ("Vinh", 3),
    ("Vũ", 3),
    ("Hòa", 2),
    ("Quý", 2),
    ("Thuỷ", 1),
    ("Khôi", 4),
    ("Phát", 3),
    ("Nguyên", 4),
];

const GIVEN_FEMALE: &[(&str, u32)] = &[
    ("An", 5),
    ("Anh", 9),
    ("Châu", 3),
    ("Chi", 6),
    ("Diệp", 2),
    ("Dung", 3),
    ("Giang", 4),
    ("Hà", 5),
    ("Hân", 6),
    ("Hạnh", 3),
    ("Hiền", 4),
    ("Hoa", 3),
    ("Hòa", 2),
    ("Hương", 4),
    ("Huyền", 4),
    ("Lan", 4),
    ("Linh", 9),
    ("Ly", 4),
    ("Mai", 5),
    ("My", 5),
    ("Mỹ", 1),
    ("Ngân", 5),
    ("Ngọc", 5),
    ("Nhi", 7),
    ("Nhung", 3),
    ("Oanh", 2),
    ("Phương", 5),
    ("Quyên", 2),
    ("Quỳnh", 4),
    ("Thảo", 6),
    ("Thư", 6),
    ("Thủy", 3),
    ("Thúy", 2),
    ("Trang", 6),
    ("Trâm", 3),
    ("Uyên", 4),
    ("Vân", 3),
    ("Vy", 6),
    ("Yến", 3),
    ("Khuê", 1),
    ("Loan", 2),
];

/// A weighted list ready for sampling.
pub struct Weighted {
    names: Vec<&'static str>,
    index: WeightedIndex<u32>,
}

impl Weighted {
    /// Builds the sampler; the tables above are non-empty with positive weights.
    fn new(table: &'static [(&'static str, u32)]) -> Weighted {
        let index = WeightedIndex::new(table.iter().map(|(_, w)| *w)).expect("static tables have positive weights");
        Weighted { names: table.iter().map(|(n, _)| *n).collect(), index }
    }

    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> &'static str {
        self.names[self.index.sample(rng)]
    }
}

/// Samplers for every part of a name.
pub struct NameSampler {
    surname: Weighted,
    middle_male_child: Weighted,
    middle_female_child: Weighted,
    middle_male_adult: Weighted,
    middle_female_adult: Weighted,
    given_male: Weighted,
    given_female: Weighted,
}

impl Default for NameSampler {
    fn default() -> Self {
        NameSampler {
            surname: Weighted::new(SURNAMES),
            middle_male_child: Weighted::new(MIDDLE_MALE_CHILD),
            middle_female_child: Weighted::new(MIDDLE_FEMALE_CHILD),
            middle_male_adult: Weighted::new(MIDDLE_MALE_ADULT),
            middle_female_adult: Weighted::new(MIDDLE_FEMALE_ADULT),
            given_male: Weighted::new(GIVEN_MALE),
            given_female: Weighted::new(GIVEN_FEMALE),
        }
    }
}

impl NameSampler {
    /// A full name in Unicode NFC and Title Case: surname, one or two middle names, given name.
    pub fn full_name<R: Rng + ?Sized>(&self, rng: &mut R, male: bool, child: bool) -> String {
        let surname = self.surname.sample(rng);
        let middles = match (male, child) {
            (true, true) => &self.middle_male_child,
            (false, true) => &self.middle_female_child,
            (true, false) => &self.middle_male_adult,
            (false, false) => &self.middle_female_adult,
        };
        let given = if male { &self.given_male } else { &self.given_female };
        let mut parts = vec![surname, middles.sample(rng)];
        if rng.random_bool(0.1) {
            let second = middles.sample(rng);
            if second != parts[1] {
                parts.push(second);
            }
        }
        let mut last = given.sample(rng);
        // A middle name repeated as the given name reads wrong: draw again once.
        if parts.contains(&last) {
            last = given.sample(rng);
        }
        parts.push(last);
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn surname_shares_look_like_the_north() {
        let s = NameSampler::default();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let n = 20_000;
        let mut nguyen = 0;
        let mut tran = 0;
        for i in 0..n {
            let name = s.full_name(&mut rng, i % 2 == 0, true);
            assert!(name.split(' ').count() >= 3, "{name}");
            if name.starts_with("Nguyễn ") {
                nguyen += 1;
            }
            if name.starts_with("Trần ") {
                tran += 1;
            }
        }
        let share = |k: i32| f64::from(k) / f64::from(n);
        assert!((0.35..0.41).contains(&share(nguyen)), "Nguyễn {}", share(nguyen));
        assert!((0.09..0.13).contains(&share(tran)), "Trần {}", share(tran));
    }

    #[test]
    fn names_are_nfc_title_case() {
        use unicode_normalization::UnicodeNormalization;
        for (name, _) in SURNAMES.iter().chain(GIVEN_MALE).chain(GIVEN_FEMALE).chain(MIDDLE_FEMALE_ADULT) {
            assert_eq!(name.nfc().collect::<String>(), *name);
            assert!(name.chars().next().is_some_and(char::is_uppercase), "{name}");
        }
    }
}
