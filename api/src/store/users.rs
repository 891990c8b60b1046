//! User accounts.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::StoreResult;
use super::entities::users;
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
    Ok(users::ActiveModel {
        username: Set(new.username),
        password_hash: Set(new.password_hash),
        role: Set(new.role.as_str().to_owned()),
        unit_id: Set(new.unit_id),
        display_name: Set(new.display_name),
        disabled: Set(false),
        created_at: Set(Utc::now()),
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

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> StoreResult<Option<users::Model>> {
    Ok(users::Entity::find_by_id(id).one(conn).await?)
}
