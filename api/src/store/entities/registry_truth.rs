use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_truth")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub personal_id: String,
    pub full_name: String,
    pub date_of_birth: String,
    pub gender: String,
    pub province_code: Option<String>,
    pub commune_code: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
