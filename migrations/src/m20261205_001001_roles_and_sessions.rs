//! Roles of issue 10 and revocable sessions (issue 12, item 9): the `admin` role becomes
//! `department_admin`; an account may be told to change its password at the next sign-in (a
//! one-time password); tokens ended by signing out are remembered until they expire.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table("users").add_column(boolean("must_change_password").default(false)).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("revoked_tokens")
                    .if_not_exists()
                    // the token's `jti`
                    .col(string_len("token_id", 64).primary_key())
                    .col(big_integer("user_id"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_revoked_tokens_expires", "revoked_tokens", &["expires_at"])).await?;
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE users SET role = 'department_admin' WHERE role = 'admin'").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE users SET role = 'admin' WHERE role = 'department_admin'").await?;
        db.execute_unprepared("UPDATE users SET role = 'school' WHERE role = 'school_admin'").await?;
        db.execute_unprepared("UPDATE users SET role = 'district' WHERE role = 'district_admin'").await?;
        manager.drop_table(Table::drop().table("revoked_tokens").if_exists().to_owned()).await?;
        manager.alter_table(Table::alter().table("users").drop_column("must_change_password").to_owned()).await
    }
}
