//! The request context handlers take instead of the raw request: who is calling (the token's
//! [`Caller`]), the request id the middleware assigned, and the application's clock, so that
//! [`RequestContext::audit`] gives the audit context of a change made by this request. A
//! handler never builds an audit context by hand.

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use chrono::NaiveDate;

use crate::domain::access::Caller;
use crate::domain::clock::Clock;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::audit::AuditCtx;

/// Who is calling, under which request id, and the clock.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub caller: Caller,
    pub request_id: Option<String>,
    clock: Clock,
}

impl RequestContext {
    /// The audit context of a change made by this request, at the clock's now.
    pub fn audit(&self) -> AuditCtx {
        AuditCtx::manual(&self.caller, self.request_id.clone(), self.clock.now())
    }

    /// Today in Vietnam by the application's clock.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The application's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}

impl FromRequest for RequestContext {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<RequestContext, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let caller = caller.await?;
            let state =
                req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal("no application state"))?;
            let request_id = req.extensions().get::<crate::http::RequestId>().map(|r| r.0.clone());
            Ok(RequestContext { caller, request_id, clock: state.settings.clock.clone() })
        })
    }
}
