//! Setting up a province's own instance (issue 10): `dinhdanh init` creates the Department unit
//! of a province (its post-2025 code) and its first `department_admin`; `dinhdanh serve` on a
//! database without any unit says what to do instead of serving an empty app.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::auth::{password, policy};
use crate::domain::access::Role;
use crate::domain::org::UnitKind;
use crate::store::audit::{self, AuditCtx, Event, Source};
use crate::store::{units, users};

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitOutcome {
    /// The Department and its administrator were created; the one-time password when none was
    /// given (shown once, to be changed at the first sign-in).
    Created { department: String, username: String, one_time_password: Option<String> },
    /// Already set up for this province with this administrator: nothing changed.
    Unchanged { department: String, username: String },
}

impl std::fmt::Display for InitOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitOutcome::Created { department, username, one_time_password } => {
                writeln!(f, "Đã tạo {department} và tài khoản quản trị {username} (department_admin).")?;
                match one_time_password {
                    Some(otp) => {
                        writeln!(f, "  mật khẩu một lần: {otp}")?;
                        writeln!(f, "  (chỉ hiện lần này; phải đổi ở lần đăng nhập đầu tiên)")?;
                    }
                    None => writeln!(f, "  mật khẩu: lấy từ --password-file (không phải đổi khi đăng nhập)")?,
                }
                write!(
                    f,
                    "Tiếp theo: `dinhdanh serve`, đăng nhập bằng {username}, nạp danh sách đơn vị \
                     (`dinhdanh import-units FILE` hoặc màn hình Đơn vị) rồi tạo tài khoản cho các trường."
                )
            }
            InitOutcome::Unchanged { department, username } => write!(
                f,
                "Đã khởi tạo từ trước ({department}, quản trị {username}): không thay đổi gì. \
                 Thêm tài khoản trong ứng dụng web hoặc qua POST /api/v1/users."
            ),
        }
    }
}

/// Why `init` refused.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("mã tỉnh {0:?} không phải mã tỉnh, thành phố sau sắp xếp năm 2025 (ví dụ 31 là Hải Phòng)")]
    UnknownProvince(String),
    #[error("tên đăng nhập {0:?} không hợp lệ (3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới)")]
    BadUsername(String),
    #[error("mật khẩu trong --password-file không dùng được: {0}")]
    WeakPassword(&'static str),
    #[error("cơ sở dữ liệu đã được khởi tạo cho {department} với quản trị {username}; không thay đổi gì")]
    Different { department: String, username: String },
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<crate::store::StoreError> for InitError {
    fn from(e: crate::store::StoreError) -> InitError {
        InitError::Other(anyhow::anyhow!("{e}"))
    }
}

impl From<sea_orm::DbErr> for InitError {
    fn from(e: sea_orm::DbErr) -> InitError {
        InitError::Other(e.into())
    }
}

/// True for a username accounts may have: 3–64 of `a–z 0–9 . - _`, starting with a letter or
/// digit.
pub fn valid_username(username: &str) -> bool {
    (3..=64).contains(&username.len())
        && username.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
}

/// The Department's name for a post-2025 province ("Thành phố Hải Phòng" → "Sở Giáo dục và
/// Đào tạo Hải Phòng").
pub fn department_name(province_name: &str) -> String {
    let short = ["Thành phố ", "Tỉnh "].iter().find_map(|p| province_name.strip_prefix(p)).unwrap_or(province_name);
    format!("Sở Giáo dục và Đào tạo {short}")
}

/// Creates the Department of the province and its first administrator, or says it was done.
/// `password` given: no change is forced at the first sign-in; else a one-time password is
/// generated and returned.
pub async fn init(
    db: &DatabaseConnection,
    province_code: &str,
    admin_username: &str,
    password: Option<String>,
    at: DateTime<Utc>,
) -> Result<InitOutcome, InitError> {
    let province = crate::domain::admin_units::units()
        .new_province(province_code)
        .ok_or_else(|| InitError::UnknownProvince(province_code.to_owned()))?;
    let username = admin_username.trim().to_lowercase();
    if !valid_username(&username) {
        return Err(InitError::BadUsername(admin_username.to_owned()));
    }
    if let Some(p) = &password
        && let Some(reason) = policy::refusal(&username, p)
    {
        return Err(InitError::WeakPassword(reason));
    }
    let code = department_code(province_code);
    if let Some(existing) = existing_department(db).await? {
        let admin = users::any_by_username(db, &username).await?;
        let same = existing.code == code && admin.as_ref().is_some_and(|a| a.unit_id == existing.id);
        if same {
            return Ok(InitOutcome::Unchanged { department: existing.name, username });
        }
        let first_admin = first_department_admin(db, existing.id).await?.unwrap_or_default();
        return Err(InitError::Different { department: existing.name, username: first_admin });
    }
    let (secret, must_change) = match password {
        Some(p) => (p, false),
        None => (policy::one_time_password(), true),
    };
    let to_hash = secret.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&to_hash)).await.map_err(anyhow::Error::from)??;
    let ctx = AuditCtx::system(Source::Seed, Some("init".to_owned()), at);
    let txn = db.begin().await?;
    let department = units::create(
        &txn,
        units::NewUnit {
            parent_id: None,
            kind: UnitKind::Department,
            code,
            name: department_name(province.name),
            level: None,
            province_code: Some(province.code.to_owned()),
            district_code: None,
            commune_code: None,
            address: None,
            phone: None,
            email: None,
        },
    )
    .await?;
    let admin = users::create_with(
        &txn,
        users::NewUser {
            username: username.clone(),
            password_hash: hash,
            role: Role::DepartmentAdmin,
            unit_id: department.id,
            display_name: "Quản trị Sở GDĐT".to_owned(),
        },
        must_change,
        at,
    )
    .await?;
    audit::record(
        &txn,
        &ctx,
        vec![
            Event {
                action: "create_unit",
                entity: "unit",
                entity_id: Some(department.id),
                field: None,
                old_value: None,
                new_value: Some(department.name.clone()),
            },
            Event {
                action: "create_user",
                entity: "user",
                entity_id: Some(admin.id),
                field: Some("role"),
                old_value: None,
                new_value: Some(format!("{} department_admin", admin.username)),
            },
        ],
    )
    .await?;
    txn.commit().await?;
    Ok(InitOutcome::Created { department: department.name, username, one_time_password: must_change.then_some(secret) })
}

/// The Department unit's code for a province (`SGDDT-31`).
pub fn department_code(province_code: &str) -> String {
    format!("SGDDT-{province_code}")
}

async fn existing_department(
    db: &DatabaseConnection,
) -> Result<Option<crate::store::entities::units::Model>, InitError> {
    use crate::store::entities::units as u;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(u::Entity::find()
        .filter(u::Column::Kind.eq(UnitKind::Department.as_str()))
        .order_by_asc(u::Column::Id)
        .one(db)
        .await?)
}

async fn first_department_admin(db: &DatabaseConnection, unit_id: i64) -> Result<Option<String>, InitError> {
    use crate::store::entities::users as u;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(u::Entity::find()
        .filter(u::Column::UnitId.eq(unit_id))
        .filter(u::Column::Role.eq(Role::DepartmentAdmin.as_str()))
        .order_by_asc(u::Column::Id)
        .one(db)
        .await?
        .map(|u| u.username))
}

/// `dinhdanh import-units`: previews (and with `commit` applies) a unit list as the
/// Department's administrator would; the report to print.
pub async fn import_units(
    db: &DatabaseConnection,
    filename: &str,
    lines: &[crate::domain::unit_list::UnitLine],
    commit: bool,
    at: DateTime<Utc>,
) -> anyhow::Result<String> {
    use crate::domain::unit_list::{UnitAction, summary};
    let Some(department) = existing_department(db).await.map_err(|e| anyhow::anyhow!("{e}"))? else {
        anyhow::bail!("chưa khởi tạo: hãy chạy `dinhdanh init --province-code … --admin-username …` trước");
    };
    let caller = crate::domain::access::Caller {
        user_id: 0,
        username: "dinhdanh import-units".to_owned(),
        role: Role::DepartmentAdmin,
        unit_id: department.id,
        unit_path: department.path.clone(),
    };
    let ctx = AuditCtx { actor: caller.username.clone(), ..AuditCtx::system(Source::Import, None, at) };
    let mut import = crate::store::unit_imports::preview(db, &ctx, &caller, filename, lines).await?;
    if commit {
        import = crate::store::unit_imports::commit(db, &ctx, &caller, import.row.id).await?;
    }
    let s = summary(&import.plan);
    let n = |a: UnitAction| s.get(&a).copied().unwrap_or(0);
    let mut out = format!(
        "{filename}: {} dòng — tạo mới {}, cập nhật {}, đóng {}, không đổi {}, bị từ chối {}",
        import.plan.len(),
        n(UnitAction::Create),
        n(UnitAction::Update),
        n(UnitAction::Close),
        n(UnitAction::Unchanged),
        n(UnitAction::Rejected)
    );
    for p in import.plan.iter().filter(|p| p.action == UnitAction::Rejected) {
        out.push_str(&format!("\n  dòng {} ({}): {}", p.row, p.code, p.reasons.join(" ")));
    }
    out.push_str(&if commit {
        format!("\nĐã ghi (lần nạp {}; hoàn tác: POST /api/v1/units/import/{}/undo).", import.row.id, import.row.id)
    } else {
        "\nChưa ghi gì: chạy lại với --commit để ghi.".to_owned()
    });
    Ok(out)
}

/// One-time passwords and their argon2 hashes (off the async workers).
///
/// Hashed on every core (19 MiB of working memory per core): a province's 10,000 school
/// accounts are 10,000 argon2 hashes (9,625 schools: 98.6 s on this machine's two cores, in a
/// seed of 5,000,000 students).
pub async fn one_time_passwords(count: usize) -> anyhow::Result<Vec<(String, String)>> {
    tokio::task::spawn_blocking(move || {
        crate::cores::map_in_order(vec![(); count], |_, ()| {
            let otp = policy::one_time_password();
            password::hash(&otp).map(|h| (otp, h))
        })
    })
    .await?
}

/// `POST /users/bulk` (and the demo): one account of `role` per open school under `unit_id`
/// that has none yet, each with a one-time password; answers the lines of the workbook, the
/// only copy of those passwords (schools whose account existed are listed without one).
pub async fn bulk_accounts(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    caller: &crate::domain::access::Caller,
    unit_id: i64,
    role: Role,
) -> crate::store::StoreResult<Vec<crate::excel::accounts::AccountLine>> {
    let plan = crate::store::accounts::bulk_plan(db, caller, unit_id, role).await?;
    let fresh = plan.iter().filter(|r| !r.exists).count();
    let mut secrets = one_time_passwords(fresh)
        .await
        .map_err(|e| crate::store::StoreError::Db(sea_orm::DbErr::Custom(format!("one-time passwords: {e}"))))?
        .into_iter();
    let rows: Vec<_> = plan
        .into_iter()
        .map(|row| {
            let secret = if row.exists { None } else { secrets.next() };
            (row, secret)
        })
        .collect();
    let hashed: Vec<_> = rows.iter().map(|(row, s)| (row.clone(), s.as_ref().map(|(_, h)| h.clone()))).collect();
    crate::store::accounts::bulk_create(db, ctx, role, &hashed).await?;
    Ok(rows
        .into_iter()
        .map(|(row, secret)| crate::excel::accounts::AccountLine {
            school_code: row.school.code,
            school_name: row.school.name,
            username: row.username,
            one_time_password: secret.map(|(otp, _)| otp),
        })
        .collect())
}

/// What `serve` prints, instead of serving, on a database that holds no unit (and no demo was
/// asked for).
pub fn first_start_message(database: &str) -> String {
    format!(
        "Cơ sở dữ liệu {database} chưa có đơn vị nào: dinhdanh chưa được khởi tạo cho tỉnh, thành phố nào.\n\
         Việc cần làm:\n\
         \x20 1. dinhdanh init --province-code 31 --admin-username quantri-sgd   (mã tỉnh sau năm 2025; in ra mật khẩu một lần)\n\
         \x20    hoặc thêm --password-file FILE để đặt mật khẩu sẵn (không phải đổi khi đăng nhập)\n\
         \x20 2. dinhdanh import-units danh-sach-don-vi.xlsx   (các Phòng GDĐT và trường, theo mã trường của Bộ)\n\
         \x20 3. dinhdanh serve, đăng nhập bằng tài khoản quản trị, tạo tài khoản cho các trường\n\
         Chỉ để xem thử: dinhdanh serve --demo"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_names() {
        for ok in ["quantri-sgd", "thcs.le-loi_2", "abc", "31304001"] {
            assert!(valid_username(ok), "{ok}");
        }
        for bad in ["ab", "Quantri", "quản-trị", "-x-y", "a b c", &"x".repeat(65)] {
            assert!(!valid_username(bad), "{bad}");
        }
        assert_eq!(department_name("Thành phố Hải Phòng"), "Sở Giáo dục và Đào tạo Hải Phòng");
        assert_eq!(department_name("Tỉnh Lào Cai"), "Sở Giáo dục và Đào tạo Lào Cai");
        assert_eq!(department_code("31"), "SGDDT-31");
    }
}
