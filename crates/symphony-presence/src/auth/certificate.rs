//! The session-auth API calls (certificate authentication), each one request through the
//! shared pipeline, over a TLS client that presents the client certificate. Only this client
//! has it: Pod calls go out without it.

use std::fmt::Display;
use std::sync::Arc;

use symphony_api::sessionauth::types::{OboAuthResponse, Token};

use super::login::{LoginSettings, OBO_HINT, OboUser};
use crate::error::Error;
use crate::http::pipeline::{self, Exchange};
use crate::http::{Endpoint, auth_endpoint};
use crate::request::CallOptions;
use crate::session::{SessionProvider, SessionToken};
use crate::settings::{self, HttpSettings};
use crate::transport::Transport;

const CERTIFICATE_HINT: &str = "the certificate may not be the one registered for this bot or app, or the bot or app may be missing or inactive on the pod";
const BOT_AUTH: Endpoint = auth_endpoint!(
    "authenticate_bot_with_certificate",
    "/v1/authenticate",
    hint = CERTIFICATE_HINT
);
const APP_AUTH: Endpoint = auth_endpoint!(
    "authenticate_app_with_certificate",
    "/v1/app/authenticate",
    hint = CERTIFICATE_HINT
);
const OBO_BY_ID: Endpoint = auth_endpoint!(
    "authenticate_on_behalf_of_with_certificate",
    "/v1/app/user/{uid}/authenticate",
    hint = OBO_HINT
);
const OBO_BY_USERNAME: Endpoint = auth_endpoint!(
    "authenticate_on_behalf_of_username_with_certificate",
    "/v1/app/username/{username}/authenticate",
    hint = OBO_HINT
);

/// The generated session-auth client, over a TLS client with the certificate.
#[derive(Debug)]
pub(crate) struct CertificateLogin {
    api: symphony_api::sessionauth::Client,
    url: reqwest::Url,
    transport: Arc<Transport>,
}

impl CertificateLogin {
    /// The session-auth URL is the one given, or the pod URL's origin followed by
    /// `/sessionauth`.
    pub(crate) fn new(
        pod_url: &reqwest::Url,
        settings: &LoginSettings,
        http: &HttpSettings,
        identity: reqwest::Identity,
        transport: Arc<Transport>,
    ) -> Result<Self, Error> {
        let url = settings::service_url(
            settings.session_auth_url.as_deref(),
            pod_url,
            "/sessionauth",
            "session-auth",
        )?;
        transport.check_secure(&url, "session-auth")?;
        let api = symphony_api::sessionauth::Client::new_with_client(
            &settings::base_url_string(&url),
            http.http_client(Some(identity))?,
            transport.hooks.clone(),
        );
        Ok(CertificateLogin {
            api,
            url,
            transport,
        })
    }

    pub(crate) fn url(&self) -> &str {
        self.url.as_str()
    }

    fn exchange<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        session: Option<&'a dyn SessionProvider>,
        path_params: &'a [&'a (dyn Display + Sync)],
    ) -> Exchange<'a> {
        Exchange {
            transport: &self.transport,
            endpoint,
            options: &CallOptions::DEFAULT,
            session,
            base: &self.url,
            path_params,
            jwt: None,
        }
    }

    /// `POST /v1/authenticate`: the bot the certificate names.
    pub(crate) async fn authenticate_bot(&self) -> Result<SessionToken, Error> {
        let send = |_: &str, trace_id| self.api.post_v1_authenticate().x_trace_id(trace_id).send();
        pipeline::call(self.exchange(&BOT_AUTH, None, &[]), send, token).await
    }

    /// `POST /v1/app/authenticate`: the app the certificate names.
    pub(crate) async fn authenticate_app(&self) -> Result<SessionToken, Error> {
        let send = |_: &str, trace_id| {
            self.api
                .post_v1_app_authenticate()
                .x_trace_id(trace_id)
                .send()
        };
        pipeline::call(self.exchange(&APP_AUTH, None, &[]), send, token).await
    }

    /// An OBO session for `user`, sending the app's token.
    pub(crate) async fn authenticate_obo(
        &self,
        app: &dyn SessionProvider,
        user: &OboUser,
    ) -> Result<SessionToken, Error> {
        let api = &self.api;
        match user {
            OboUser::Id(uid) => {
                let params: [&(dyn Display + Sync); 1] = [uid];
                let send = |app_token: &str, trace_id| {
                    api.post_v1_app_user_uid_authenticate()
                        .x_trace_id(trace_id)
                        .uid(uid.0)
                        .session_token(app_token)
                        .send()
                };
                pipeline::call(
                    self.exchange(&OBO_BY_ID, Some(app), &params),
                    send,
                    obo_token,
                )
                .await
            }
            OboUser::Username(name) => {
                let params: [&(dyn Display + Sync); 1] = [name];
                let send = |app_token: &str, trace_id| {
                    api.post_v1_app_username_username_authenticate()
                        .x_trace_id(trace_id)
                        .username(name.as_str())
                        .session_token(app_token)
                        .send()
                };
                let exchange = self.exchange(&OBO_BY_USERNAME, Some(app), &params);
                pipeline::call(exchange, send, obo_token).await
            }
        }
    }
}

const MISSING: &str = "the response has no usable token";

/// The session token of a bot or app login.
fn token(token: Token) -> Result<SessionToken, &'static str> {
    SessionToken::new(token.token.ok_or(MISSING)?).map_err(|_| MISSING)
}

/// The session token of an OBO login.
fn obo_token(response: OboAuthResponse) -> Result<SessionToken, &'static str> {
    SessionToken::new(response.session_token.ok_or(MISSING)?).map_err(|_| MISSING)
}
