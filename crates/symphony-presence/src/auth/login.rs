//! The Login API calls, each one request through the shared pipeline.

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;
use symphony_api::ErrorBody;
use symphony_api::login::types::{AuthenticateRequest, Token};

use super::jwt;
use super::key::PrivateKey;
use crate::error::Error;
use crate::http::pipeline::{self, Exchange};
use crate::http::{Endpoint, auth_endpoint};
use crate::presence::UserId;
use crate::request::CallOptions;

use crate::session::{SessionProvider, SessionToken};
use crate::settings;
use crate::transport::Transport;

const APP_AUTH: Endpoint = auth_endpoint!(
    "authenticate_app",
    "/pubkey/app/authenticate",
    hint = "the app may be missing or inactive on the pod, or its key may not match the public key registered for it"
);
const BOT_AUTH: Endpoint = auth_endpoint!(
    "authenticate_bot",
    "/pubkey/authenticate",
    hint = "the bot user may be missing or inactive, or its key may not match the public key registered for it"
);
/// Why an OBO login may be refused; the same for RSA and certificate logins.
pub(super) const OBO_HINT: &str = "the user may not have installed the app, or the app may not be allowed to act on behalf of users";
const OBO_BY_ID: Endpoint = auth_endpoint!(
    "authenticate_on_behalf_of",
    "/pubkey/app/user/{userId}/authenticate",
    hint = OBO_HINT
);
const OBO_BY_USERNAME: Endpoint = auth_endpoint!(
    "authenticate_on_behalf_of_username",
    "/pubkey/app/username/{username}/authenticate",
    hint = OBO_HINT
);

/// How far the pod's clock may be from ours before a refused login is tried again with JWT
/// times corrected to the pod's, and the error names the skew.
const SKEW_TOLERANCE: Duration = Duration::from_secs(30);

/// Whom an OBO session acts for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum OboUser {
    Id(UserId),
    Username(String),
}

/// Where the Login API is and how long JWTs live, as the client builders collect them.
#[derive(Clone, Debug)]
pub(crate) struct LoginSettings {
    pub login_url: Option<String>,
    pub session_auth_url: Option<String>,
    pub jwt_lifetime: Duration,
}

impl Default for LoginSettings {
    fn default() -> Self {
        LoginSettings {
            login_url: None,
            session_auth_url: None,
            jwt_lifetime: jwt::DEFAULT_JWT_LIFETIME,
        }
    }
}

/// The generated Login client, with the transport it shares with the pod, and the JWT lifetime.
#[derive(Debug)]
pub(crate) struct LoginClient {
    api: symphony_api::login::Client,
    url: reqwest::Url,
    transport: Arc<Transport>,
    jwt_lifetime: Duration,
}

impl LoginClient {
    /// The login URL is the one given, or the pod URL's origin followed by `/login`.
    pub(crate) fn new(
        pod_url: &reqwest::Url,
        settings: &LoginSettings,
        transport: Arc<Transport>,
    ) -> Result<Self, Error> {
        let login_url =
            settings::service_url(settings.login_url.as_deref(), pod_url, "/login", "login")?;
        transport.check_secure(&login_url, "login")?;
        let jwt_lifetime = jwt::check_lifetime(settings.jwt_lifetime)?;
        let api = symphony_api::login::Client::new_with_client(
            &settings::base_url_string(&login_url),
            transport.http.clone(),
            transport.hooks.clone(),
        );
        Ok(LoginClient {
            api,
            url: login_url,
            transport,
            jwt_lifetime,
        })
    }

    pub(crate) fn login_url(&self) -> &str {
        symphony_api::login::ClientInfo::baseurl(&self.api)
    }

    /// An exchange with the login API through the pipeline.
    fn exchange<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        session: Option<&'a dyn SessionProvider>,
        path_params: &'a [&'a (dyn std::fmt::Display + Sync)],
        jwt: Option<&'a str>,
    ) -> Exchange<'a> {
        Exchange {
            transport: &self.transport,
            endpoint,
            options: &CallOptions::DEFAULT,
            session,
            base: &self.url,
            path_params,
            jwt,
        }
    }

    /// `POST /pubkey/app/authenticate` with the app's JWT.
    pub(crate) async fn authenticate_app(
        &self,
        app_id: &str,
        key: &PrivateKey,
    ) -> Result<SessionToken, Error> {
        self.authenticate_with_jwt(&APP_AUTH, app_id, key, |api, body, trace_id| {
            api.post_pubkey_app_authenticate()
                .x_trace_id(trace_id)
                .body(body)
                .send()
        })
        .await
    }

    /// `POST /pubkey/authenticate` with the bot's JWT.
    pub(crate) async fn authenticate_bot(
        &self,
        username: &str,
        key: &PrivateKey,
    ) -> Result<SessionToken, Error> {
        self.authenticate_with_jwt(&BOT_AUTH, username, key, |api, body, trace_id| {
            api.post_pubkey_authenticate()
                .x_trace_id(trace_id)
                .body(body)
                .send()
        })
        .await
    }

    /// An OBO session for `user`, sending the app's token. A 401 asks the app session to
    /// refresh, which it does only when its token is not fresh (see `AppSession`).
    pub(crate) async fn authenticate_obo(
        &self,
        app: &dyn SessionProvider,
        user: &OboUser,
    ) -> Result<SessionToken, Error> {
        let api = &self.api;
        // Two calls because the two generated builders are different types.
        match user {
            OboUser::Id(uid) => {
                let params: [&(dyn std::fmt::Display + Sync); 1] = [uid];
                let exchange = self.exchange(&OBO_BY_ID, Some(app), &params, None);
                let send = |app_token: &str, trace_id| {
                    api.post_pubkey_app_user_user_id_authenticate()
                        .x_trace_id(trace_id)
                        .user_id(uid.0)
                        .session_token(app_token)
                        .send()
                };
                pipeline::call(exchange, send, session_token).await
            }
            OboUser::Username(name) => {
                let params: [&(dyn std::fmt::Display + Sync); 1] = [name];
                let exchange = self.exchange(&OBO_BY_USERNAME, Some(app), &params, None);
                let send = |app_token: &str, trace_id| {
                    api.post_pubkey_app_username_username_authenticate()
                        .x_trace_id(trace_id)
                        .username(name.as_str())
                        .session_token(app_token)
                        .send()
                };
                pipeline::call(exchange, send, session_token).await
            }
        }
    }

    /// A login with a JWT for `sub`, signed with `key` and dated by the pod's clock as far as it
    /// is known. A 401 that taught us the pod's clock is more than [`SKEW_TOLERANCE`] from ours
    /// is tried once more with corrected times; if the skew stays, the error says so.
    async fn authenticate_with_jwt<'a, F, Fut>(
        &'a self,
        endpoint: &'a Endpoint,
        sub: &str,
        key: &PrivateKey,
        send: F,
    ) -> Result<SessionToken, Error>
    where
        F: Fn(&'a symphony_api::login::Client, AuthenticateRequest, String) -> Fut + 'a,
        Fut: Future<
                Output = Result<
                    progenitor_client::ResponseValue<Token>,
                    progenitor_client::Error<ErrorBody>,
                >,
            > + 'a,
    {
        let clock = &self.transport.clock;
        let mut corrected = false;
        loop {
            let dated_by = clock.offset_ms();
            // One JWT per login; its lifetime covers every retry the policy allows.
            let jwt = jwt::sign(sub, key, self.jwt_lifetime, clock.now())
                .map_err(|e| e.during(endpoint.op))?;
            let body = || AuthenticateRequest {
                token: Some(jwt.expose_secret().to_owned()),
            };
            let exchange = self.exchange(endpoint, None, &[], Some(jwt.expose_secret()));
            let outcome = pipeline::call(
                exchange,
                |_, trace_id| send(&self.api, body(), trace_id),
                session_token,
            )
            .await;
            match outcome {
                Err(Error::Unauthorized(mut e)) if clock.skewed_beyond(SKEW_TOLERANCE) => {
                    if !corrected && clock.offset_ms() != dated_by {
                        corrected = true;
                        tracing::info!(
                            pod_clock_offset_ms = clock.offset_ms(),
                            "login refused while the pod's clock is skewed: signing again with corrected times"
                        );
                        continue;
                    }
                    e.hint = Some(skew_hint(clock.offset_ms()).into());
                    return Err(Error::Unauthorized(e));
                }
                outcome => return outcome,
            }
        }
    }
}

/// What a refused login most likely means when the clocks disagree.
fn skew_hint(offset_ms: i64) -> String {
    let (seconds, direction) = (
        offset_ms.unsigned_abs() / 1000,
        if offset_ms > 0 { "behind" } else { "ahead of" },
    );
    format!(
        "this machine's clock is {seconds} s {direction} the pod's, so the pod may have refused the \
         JWT's times; correct the clock (NTP), or check the key if the clock is right"
    )
}

/// The session token of a login response.
fn session_token(token: Token) -> Result<SessionToken, &'static str> {
    const MISSING: &str = "the response has no usable token";
    SessionToken::new(token.token.ok_or(MISSING)?).map_err(|_| MISSING)
}
