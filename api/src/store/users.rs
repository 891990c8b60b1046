//! User accounts and the sessions ended by signing out.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
};

use super::entities::{revoked_tokens, units, users};
use super::{StoreError, StoreResult, read_stored};
use crate::auth::session::AccountState;
use crate::domain::access::Role;

/// An account to create; the password arrives already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub unit_id: i64,
    pub display_name: String,
}

pub async fn create<C: ConnectionTrait>(conn: &C, new: NewUser) -> StoreResult<users::Model> {
    create_with(conn, new, false, Utc::now()).await
}

/// Creates an account; `must_change_password` when its password is a one-time password.
pub async fn create_with<C: ConnectionTrait>(
    conn: &C,
    new: NewUser,
    must_change_password: bool,
    at: DateTime<Utc>,
) -> StoreResult<users::Model> {
    Ok(users::ActiveModel {
        username: Set(new.username),
        password_hash: Set(new.password_hash),
        role: Set(new.role.as_str().to_owned()),
        unit_id: Set(new.unit_id),
        display_name: Set(new.display_name),
        disabled: Set(false),
        must_change_password: Set(must_change_password),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// The enabled account with this username (exact match; usernames are stored lower case).
pub async fn by_username<C: ConnectionTrait>(conn: &C, username: &str) -> StoreResult<Option<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::Username.eq(username))
        .filter(users::Column::Disabled.eq(false))
        .one(conn)
        .await?)
}

/// The account with this username, enabled or not.
pub async fn any_by_username<C: ConnectionTrait>(conn: &C, username: &str) -> StoreResult<Option<users::Model>> {
    Ok(users::Entity::find().filter(users::Column::Username.eq(username)).one(conn).await?)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> StoreResult<Option<users::Model>> {
    Ok(users::Entity::find_by_id(id).one(conn).await?)
}

/// The role an account row holds (an unknown one is corrupt, never a default).
pub fn role_of(user: &users::Model) -> StoreResult<Role> {
    read_stored(format_args!("users.role of {}", user.id), &user.role, Role::parse)
}

/// The account behind a token as it stands now (`None`: gone), and whether the token was
/// revoked by signing out.
pub async fn session_state<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    token_id: &str,
) -> StoreResult<(Option<AccountState>, bool)> {
    let account = match get(conn, user_id).await? {
        Some(u) => Some(AccountState {
            disabled: u.disabled,
            role: role_of(&u)?,
            unit_id: u.unit_id,
            must_change_password: u.must_change_password,
        }),
        None => None,
    };
    let revoked = revoked_tokens::Entity::find_by_id(token_id.to_owned()).one(conn).await?.is_some();
    Ok((account, revoked))
}

/// Ends one token (signing out); tokens already past their expiry are forgotten meanwhile.
pub async fn revoke_token<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    token_id: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    revoked_tokens::Entity::delete_many().filter(revoked_tokens::Column::ExpiresAt.lt(now)).exec(conn).await?;
    if revoked_tokens::Entity::find_by_id(token_id.to_owned()).one(conn).await?.is_none() {
        revoked_tokens::ActiveModel {
            token_id: Set(token_id.to_owned()),
            user_id: Set(user_id),
            expires_at: Set(expires_at),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// Stores a new password hash; `must_change` when it is a one-time password.
pub async fn set_password<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    password_hash: String,
    must_change: bool,
) -> StoreResult<users::Model> {
    let user = get(conn, user_id).await?.ok_or(StoreError::NotFound)?;
    let mut active = user.into_active_model();
    active.password_hash = Set(password_hash);
    active.must_change_password = Set(must_change);
    Ok(active.update(conn).await?)
}

/// The unit an account sits at.
pub async fn unit_of<C: ConnectionTrait>(conn: &C, user: &users::Model) -> StoreResult<units::Model> {
    units::Entity::find_by_id(user.unit_id).one(conn).await?.ok_or(StoreError::NotFound)
}
