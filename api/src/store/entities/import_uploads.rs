use sea_orm::entity::prelude::*;

/// The uploaded file of an import still being planned (sealed base64), kept so that another
/// instance can plan it again when the planning one dies; deleted once the plan is stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_uploads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub import_id: String,
    #[sea_orm(column_type = "Text")]
    pub data: String,
    /// How many times another instance took the planning over.
    pub takeovers: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
