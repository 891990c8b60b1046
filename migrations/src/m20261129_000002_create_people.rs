//! Students and staff in one table (`kind`), with the identity fields exactly as entered, the
//! rule engine's normalised values and findings, and the verification status.

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
                    .table("people")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    // student | staff
                    .col(string_len("kind", 8))
                    // the school (students) or the school/office (staff) the person belongs to
                    .col(big_integer("unit_id"))
                    .col(big_integer_null("class_id"))
                    // staff: manager | teacher | employee
                    .col(string_len_null("position", 16))
                    // education-sector code (mã định danh ngành), immutable once set
                    .col(string_len_null("sector_code", 32))
                    // identity fields as entered
                    .col(string_len_null("full_name", 255))
                    .col(string_len_null("date_of_birth", 64))
                    .col(string_len_null("gender", 32))
                    .col(string_len_null("personal_id", 64))
                    .col(string_len_null("res_province", 255))
                    .col(string_len_null("res_district", 255))
                    .col(string_len_null("res_commune", 255))
                    .col(string_len_null("res_text", 500))
                    // normalised by the rules
                    .col(string_len_null("norm_full_name", 255))
                    .col(date_null("norm_dob"))
                    .col(string_len_null("norm_gender", 8))
                    .col(string_len_null("norm_personal_id", 32))
                    .col(string_len_null("res_scheme", 8))
                    .col(string_len_null("res_province_code", 2))
                    .col(string_len_null("res_district_code", 3))
                    .col(string_len_null("res_commune_code", 5))
                    .col(string_len_null("res_new_province_code", 2))
                    .col(string_len_null("res_new_commune_code", 5))
                    .col(string_len_null("name_key", 255))
                    .col(string_len_null("search_key", 255))
                    .col(string_len_null("sort_key", 255))
                    // the rule outcome (normalised values and findings) as JSON text, and its counts
                    .col(text("outcome"))
                    .col(integer("error_count").default(0))
                    .col(integer("warning_count").default(0))
                    .col(integer("fixed_count").default(0))
                    // verification: not_sent | queued | verified | mismatched | not_found |
                    // awaiting_evidence | error
                    .col(string_len("status", 20).default("not_sent"))
                    .col(string_len_null("mismatch_fields", 128))
                    .col(text_null("registry_values"))
                    .col(timestamp_with_time_zone_null("status_at"))
                    .col(timestamp_with_time_zone_null("verified_at"))
                    // bumped on every change of an identity field
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("identity_changed_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .foreign_key(ForeignKey::create().from("people", "unit_id").to("units", "id"))
                    .foreign_key(ForeignKey::create().from("people", "class_id").to("classes", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_people_unit_kind", "people", &["unit_id", "kind"])).await?;
        manager.create_index(index("ix_people_class_sort", "people", &["class_id", "sort_key"])).await?;
        manager.create_index(index("ix_people_norm_personal_id", "people", &["norm_personal_id"])).await?;
        manager.create_index(index("ix_people_status", "people", &["status"])).await?;
        manager.create_index(unique_index("ux_people_sector_code", "people", &["sector_code"])).await?;

        // One row per finding, for filters and statistics by code.
        manager
            .create_table(
                Table::create()
                    .table("person_findings")
                    .if_not_exists()
                    .col(big_integer("person_id"))
                    .col(string_len("code", 48))
                    .col(string_len("field", 16))
                    // error | warning | fixed
                    .col(string_len("severity", 8))
                    .primary_key(Index::create().col("person_id").col("code").col("field"))
                    .foreign_key(ForeignKey::create().from("person_findings", "person_id").to("people", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_person_findings_code", "person_findings", &["code", "person_id"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["person_findings", "people"] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
