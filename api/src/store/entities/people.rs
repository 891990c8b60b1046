use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub unit_id: i64,
    pub class_id: Option<i64>,
    pub position: Option<String>,
    pub sector_code: Option<String>,
    pub full_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub gender: Option<String>,
    pub personal_id: Option<String>,
    pub res_province: Option<String>,
    pub res_district: Option<String>,
    pub res_commune: Option<String>,
    pub res_text: Option<String>,
    pub norm_full_name: Option<String>,
    pub norm_dob: Option<Date>,
    pub norm_gender: Option<String>,
    pub norm_personal_id: Option<String>,
    pub res_scheme: Option<String>,
    pub res_province_code: Option<String>,
    pub res_district_code: Option<String>,
    pub res_commune_code: Option<String>,
    pub res_new_province_code: Option<String>,
    pub res_new_commune_code: Option<String>,
    pub name_key: Option<String>,
    pub search_key: Option<String>,
    pub sort_key: Option<String>,
    pub outcome: String,
    pub error_count: i32,
    pub warning_count: i32,
    pub fixed_count: i32,
    pub status: String,
    pub mismatch_fields: Option<String>,
    pub registry_values: Option<String>,
    pub status_at: Option<DateTimeUtc>,
    pub verified_at: Option<DateTimeUtc>,
    pub version: i32,
    pub identity_changed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
    /// The blind index of the normalised ID number (see `store::people::sealed`).
    pub personal_id_index: Option<String>,
    /// The normalised ID number is 12 digits.
    pub personal_id_valid: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::classes::Entity", from = "Column::ClassId", to = "super::classes::Column::Id")]
    Class,
    #[sea_orm(belongs_to = "super::units::Entity", from = "Column::UnitId", to = "super::units::Column::Id")]
    Unit,
}

impl Related<super::classes::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Class.def()
    }
}

impl Related<super::units::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Unit.def()
    }
}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    /// Seals the ID numbers a write sets (`store::people::sealed`).
    async fn before_save<C>(mut self, _db: &C, _insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        crate::store::people::seal_active(&mut self, crate::crypto::installed().as_deref())?;
        Ok(self)
    }
}
