//! The unit tree (department → management units → schools), classes and user accounts.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("units")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer_null("parent_id"))
                    // department | district | school
                    .col(string_len("kind", 16))
                    .col(string_len("code", 32))
                    .col(string_len("name", 200))
                    // schools: mam_non | tieu_hoc | thcs | thpt | lien_cap | gdnn_gdtx
                    .col(string_len_null("level", 16))
                    // "/1/4/17/": ids from the root, for subtree scoping with a prefix match
                    .col(string_len("path", 255))
                    // the administrative unit it sits in (pre-2025 codes), where known
                    .col(string_len_null("province_code", 2))
                    .col(string_len_null("district_code", 3))
                    .col(string_len_null("commune_code", 5))
                    .col(string_len_null("address", 300))
                    .col(string_len_null("phone", 32))
                    .col(string_len_null("email", 200))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(ForeignKey::create().from("units", "parent_id").to("units", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique_index("ux_units_code", "units", &["code"])).await?;
        manager.create_index(index("ix_units_parent", "units", &["parent_id"])).await?;
        manager.create_index(index("ix_units_path", "units", &["path"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("classes")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("school_id"))
                    .col(string_len("school_year", 9))
                    // 0 preschool, 1–12, 13+ vocational/continuing education
                    .col(integer("grade"))
                    .col(string_len("name", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(ForeignKey::create().from("classes", "school_id").to("units", "id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("ux_classes_school_year_name", "classes", &["school_id", "school_year", "name"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string_len("username", 64))
                    .col(string_len("password_hash", 255))
                    // school | district | department | admin
                    .col(string_len("role", 16))
                    .col(big_integer("unit_id"))
                    .col(string_len("display_name", 200))
                    .col(boolean("disabled").default(false))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(ForeignKey::create().from("users", "unit_id").to("units", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique_index("ux_users_username", "users", &["username"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["users", "classes", "units"] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
