//! The Login API calls, each one request through the shared pipeline.

use std::time::Duration;

use secrecy::ExposeSecret;
use symphony_api::ErrorBody;
use symphony_api::login::types::{AuthenticateRequest, Token};

use super::jwt;
use super::key::PrivateKey;
use crate::error::Error;
use crate::http::{Operation, pipeline};
use crate::retry::RetryPolicy;
use crate::session::{SessionProvider, SessionToken};
use crate::settings::{self, HttpSettings};

/// Repeating an authentication is harmless (an unused session simply expires), so
/// authentication calls are retried like idempotent ones; their bodies are never quoted.
const fn auth(name: &'static str, hint: &'static str) -> Operation {
    Operation {
        name,
        idempotent: true,
        sensitive_response: true,
        unauthorized_hint: Some(hint),
    }
}

const APP_AUTH: Operation = auth(
    "post_pubkey_app_authenticate",
    "the app may be missing or inactive on the pod, or its key may not match the public key registered for it",
);
const BOT_AUTH: Operation = auth(
    "post_pubkey_authenticate",
    "the bot user may be missing or inactive, or its key may not match the public key registered for it",
);
const OBO_HINT: &str = "the user may not have installed the app, or the app may not be allowed to act on behalf of users";
const OBO_BY_ID: Operation = auth("post_pubkey_app_user_user_id_authenticate", OBO_HINT);
const OBO_BY_USERNAME: Operation = auth("post_pubkey_app_username_username_authenticate", OBO_HINT);

/// Whom an OBO session acts for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum OboUser {
    Id(crate::UserId),
    Username(String),
}

/// Where the Login API is and how to reach it, shared by the app and bot session builders.
#[derive(Clone, Debug)]
pub(crate) struct LoginSettings {
    pub pod_url: String,
    pub login_url: Option<String>,
    pub http: HttpSettings,
    pub jwt_lifetime: Duration,
}

impl LoginSettings {
    pub(crate) fn new(pod_url: String) -> Self {
        LoginSettings {
            pod_url,
            login_url: None,
            http: HttpSettings::default(),
            jwt_lifetime: jwt::DEFAULT_JWT_LIFETIME,
        }
    }
}

/// The generated Login client, with the pipeline's retry policy and the JWT lifetime.
#[derive(Debug)]
pub(crate) struct LoginClient {
    api: symphony_api::login::Client,
    retry: RetryPolicy,
    jwt_lifetime: Duration,
}

impl LoginClient {
    /// The login URL is the one given, or the pod URL's origin followed by `/login`.
    pub(crate) fn new(settings: &LoginSettings) -> Result<Self, Error> {
        let login_url = match &settings.login_url {
            Some(url) => settings::base_url(url, "login")?,
            None => {
                let pod = settings::base_url(&settings.pod_url, "pod")?;
                pod.join("/login")
                    .map_err(|e| Error::InvalidInput(format!("cannot derive the login URL: {e}")))?
            }
        };
        let jwt_lifetime = jwt::check_lifetime(settings.jwt_lifetime)?;
        let (http, hooks) = settings.http.client()?;
        let api = symphony_api::login::Client::new_with_client(
            &settings::base_url_string(&login_url),
            http,
            hooks,
        );
        Ok(LoginClient {
            api,
            retry: settings.http.retry.clone(),
            jwt_lifetime,
        })
    }

    pub(crate) fn login_url(&self) -> &str {
        symphony_api::login::ClientInfo::baseurl(&self.api)
    }

    /// `POST /pubkey/app/authenticate` with the app's JWT.
    pub(crate) async fn authenticate_app(
        &self,
        app_id: &str,
        key: &PrivateKey,
    ) -> Result<SessionToken, Error> {
        self.authenticate_with_jwt(APP_AUTH, app_id, key, |api, body, trace_id| {
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
        self.authenticate_with_jwt(BOT_AUTH, username, key, |api, body, trace_id| {
            api.post_pubkey_authenticate()
                .x_trace_id(trace_id)
                .body(body)
                .send()
        })
        .await
    }

    /// An OBO session for `user`, sending the app's token; a 401 refreshes the app session once.
    pub(crate) async fn authenticate_obo(
        &self,
        app: &dyn SessionProvider,
        user: &OboUser,
    ) -> Result<SessionToken, Error> {
        let api = &self.api;
        let op = match user {
            OboUser::Id(_) => OBO_BY_ID,
            OboUser::Username(_) => OBO_BY_USERNAME,
        };
        // Two calls because the two generated builders are different types.
        let token = match user {
            OboUser::Id(uid) => {
                pipeline::call(&self.retry, op, Some(app), |app_token, trace_id| {
                    api.post_pubkey_app_user_user_id_authenticate()
                        .x_trace_id(trace_id)
                        .user_id(uid.0)
                        .session_token(app_token)
                        .send()
                })
                .await?
            }
            OboUser::Username(name) => {
                pipeline::call(&self.retry, op, Some(app), |app_token, trace_id| {
                    api.post_pubkey_app_username_username_authenticate()
                        .x_trace_id(trace_id)
                        .username(name.as_str())
                        .session_token(app_token)
                        .send()
                })
                .await?
            }
        };
        session_token(token, op)
    }

    async fn authenticate_with_jwt<'a, F, Fut>(
        &'a self,
        op: Operation,
        sub: &str,
        key: &PrivateKey,
        send: F,
    ) -> Result<SessionToken, Error>
    where
        F: Fn(&'a symphony_api::login::Client, AuthenticateRequest, String) -> Fut,
        Fut: std::future::Future<
                Output = Result<
                    progenitor_client::ResponseValue<Token>,
                    progenitor_client::Error<ErrorBody>,
                >,
            >,
    {
        // One JWT per authentication; its lifetime covers every retry the policy allows.
        let jwt = jwt::sign(sub, key, self.jwt_lifetime)?;
        let token = pipeline::call(&self.retry, op, None, |_, trace_id| {
            send(
                &self.api,
                AuthenticateRequest {
                    token: Some(jwt.expose_secret().to_owned()),
                },
                trace_id,
            )
        })
        .await?;
        session_token(token, op)
    }
}

fn session_token(token: Token, op: Operation) -> Result<SessionToken, Error> {
    let missing = || op.unusable_200("the response has no usable token");
    token
        .token
        .ok_or_else(missing)
        .and_then(|t| SessionToken::new(t).map_err(|_| missing()))
}
