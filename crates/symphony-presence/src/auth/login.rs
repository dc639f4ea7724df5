//! The Login API calls, each one request through the shared pipeline.

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;
use symphony_api::ErrorBody;
use symphony_api::login::types::{AuthenticateRequest, Token};

use super::credentials::{AppCredentials, BotCredentials};
use super::jwt;
use crate::error::Error;
use crate::http::{Endpoint, pipeline};
use crate::presence::UserId;
use crate::request::CallOptions;
use crate::session::{SessionProvider, SessionToken};
use crate::settings;
use crate::transport::Transport;

const APP_AUTH: Endpoint = Endpoint::auth(
    "authenticate_app",
    "/pubkey/app/authenticate",
    "the app may be missing or inactive on the pod, or its key may not match the public key registered for it",
);
const BOT_AUTH: Endpoint = Endpoint::auth(
    "authenticate_bot",
    "/pubkey/authenticate",
    "the bot user may be missing or inactive, or its key may not match the public key registered for it",
);
const OBO_HINT: &str = "the user may not have installed the app, or the app may not be allowed to act on behalf of users";
const OBO_BY_ID: Endpoint = Endpoint::auth(
    "authenticate_on_behalf_of",
    "/pubkey/app/user/{userId}/authenticate",
    OBO_HINT,
);
const OBO_BY_USERNAME: Endpoint = Endpoint::auth(
    "authenticate_on_behalf_of_username",
    "/pubkey/app/username/{username}/authenticate",
    OBO_HINT,
);

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
    pub jwt_lifetime: Duration,
}

impl Default for LoginSettings {
    fn default() -> Self {
        LoginSettings {
            login_url: None,
            jwt_lifetime: jwt::DEFAULT_JWT_LIFETIME,
        }
    }
}

/// The generated Login client, with the transport it shares with the pod, and the JWT lifetime.
#[derive(Debug)]
pub(crate) struct LoginClient {
    api: symphony_api::login::Client,
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
        let login_url = match &settings.login_url {
            Some(url) => settings::base_url(url, "login")?,
            None => pod_url
                .join("/login")
                .map_err(|e| Error::setup(format!("cannot derive the login URL: {e}")))?,
        };
        let jwt_lifetime = jwt::check_lifetime(settings.jwt_lifetime)?;
        let api = symphony_api::login::Client::new_with_client(
            &settings::base_url_string(&login_url),
            transport.http.clone(),
            transport.hooks.clone(),
        );
        Ok(LoginClient {
            api,
            transport,
            jwt_lifetime,
        })
    }

    pub(crate) fn login_url(&self) -> &str {
        symphony_api::login::ClientInfo::baseurl(&self.api)
    }

    /// `POST /pubkey/app/authenticate` with the app's JWT.
    pub(crate) async fn authenticate_app(
        &self,
        app: &AppCredentials,
    ) -> Result<SessionToken, Error> {
        self.authenticate_with_jwt(&APP_AUTH, &app.app_id, &app.key, |api, body, trace_id| {
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
        bot: &BotCredentials,
    ) -> Result<SessionToken, Error> {
        self.authenticate_with_jwt(&BOT_AUTH, &bot.username, &bot.key, |api, body, trace_id| {
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
        let (api, options) = (&self.api, &CallOptions::default());
        // Two calls because the two generated builders are different types.
        match user {
            OboUser::Id(uid) => {
                pipeline::call(
                    &self.transport,
                    &OBO_BY_ID,
                    options,
                    Some(app),
                    |app_token, trace_id| {
                        api.post_pubkey_app_user_user_id_authenticate()
                            .x_trace_id(trace_id)
                            .user_id(uid.0)
                            .session_token(app_token)
                            .send()
                    },
                    session_token,
                )
                .await
            }
            OboUser::Username(name) => {
                pipeline::call(
                    &self.transport,
                    &OBO_BY_USERNAME,
                    options,
                    Some(app),
                    |app_token, trace_id| {
                        api.post_pubkey_app_username_username_authenticate()
                            .x_trace_id(trace_id)
                            .username(name.as_str())
                            .session_token(app_token)
                            .send()
                    },
                    session_token,
                )
                .await
            }
        }
    }

    async fn authenticate_with_jwt<'a, F, Fut>(
        &'a self,
        endpoint: &'a Endpoint,
        sub: &str,
        key: &super::PrivateKey,
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
        // One JWT per authentication; its lifetime covers every retry the policy allows.
        let jwt = jwt::sign(sub, key, self.jwt_lifetime).map_err(|e| e.during(endpoint.op))?;
        let api = &self.api;
        let jwt = &jwt;
        pipeline::call(
            &self.transport,
            endpoint,
            &CallOptions::default(),
            None,
            move |_, trace_id| {
                send(
                    api,
                    AuthenticateRequest {
                        token: Some(jwt.expose_secret().to_owned()),
                    },
                    trace_id,
                )
            },
            session_token,
        )
        .await
    }
}

/// The session token of a login response.
fn session_token(token: Token) -> Result<SessionToken, &'static str> {
    const MISSING: &str = "the response has no usable token";
    SessionToken::new(token.token.ok_or(MISSING)?).map_err(|_| MISSING)
}
