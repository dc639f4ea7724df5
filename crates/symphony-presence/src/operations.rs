//! The single-request Presence operations. Each is a [`Request`] whose [`Call`] is one trip
//! through the shared pipeline.

use symphony_api::pod::types::{UserIdList, V2PresenceStatus, V2UserPresence};

use crate::client::PresenceClient;
use crate::error::Error;
use crate::http::{Endpoint, pod_endpoint};
use crate::request::{Call, CallOptions, Request, sealed};
use crate::session::BoxFuture;
use crate::{Presence, PresenceCategory, UserId};

const GET_PRESENCE: Endpoint = pod_endpoint!(
    "get_presence",
    "GET",
    "/v2/user/presence",
    idempotent = true
);
const SET_PRESENCE: Endpoint = pod_endpoint!(
    "set_presence",
    "POST",
    "/v2/user/presence",
    idempotent = true
);
const USER_PRESENCE: Endpoint = pod_endpoint!(
    "user_presence",
    "GET",
    "/v3/user/{uid}/presence",
    idempotent = true
);
const REGISTER_INTEREST: Endpoint = pod_endpoint!(
    "register_interest",
    "POST",
    "/v1/user/presence/register",
    idempotent = true
);
const SET_USER_PRESENCE: Endpoint = pod_endpoint!(
    "set_user_presence",
    "POST",
    "/v3/user/presence",
    idempotent = true
);

/// Whatever decoded is usable.
pub(crate) fn any<T>(value: T) -> Result<T, &'static str> {
    Ok(value)
}

impl PresenceClient {
    /// The presence of the calling user (`GET /v2/user/presence`).
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// let me = client.get_presence().await?;
    /// println!("{} since {:?}", me.category, me.timestamp);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Unauthorized`] if the session is rejected even after a refresh; otherwise any
    /// [`Error`] after the retry policy gives up.
    pub fn get_presence(&self) -> Request<'_, GetPresence> {
        Request::new(self, GetPresence(()))
    }

    /// Sets the presence of the calling user (`POST /v2/user/presence`). Needs the
    /// `ADMIN_PRESENCE_UPDATE` privilege for service users.
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// use symphony_presence::PresenceCategory;
    ///
    /// let now = client.set_presence(PresenceCategory::InAMeeting).await?;
    /// assert_eq!(now.category, PresenceCategory::InAMeeting);
    /// client.set_presence(PresenceCategory::Away).soft(true).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] before sending for `UNDEFINED` or an unknown category (see
    /// [`PresenceCategory::ensure_settable`]); otherwise as [`get_presence`](Self::get_presence).
    pub fn set_presence(&self, category: PresenceCategory) -> Request<'_, SetPresence> {
        Request::new(
            self,
            SetPresence {
                category,
                soft: false,
            },
        )
    }

    /// The presence of another user (`GET /v3/user/{uid}/presence`). By default external users
    /// the caller is connected to are queried too, which needs
    /// [`register_interest`](Self::register_interest) first; Symphony limits external queries
    /// to one every 5 minutes. [`local`](Request::local) asks only the caller's pod.
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// use symphony_presence::UserId;
    ///
    /// let theirs = client.user_presence(UserId(14568529068038)).local(true).await?;
    /// println!("{}", theirs.category);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if the user cannot be located, [`Error::Forbidden`] without the
    /// entitlement; otherwise as [`get_presence`](Self::get_presence).
    pub fn user_presence(&self, uid: UserId) -> Request<'_, UserPresence> {
        Request::new(self, UserPresence { uid, local: false })
    }

    /// Registers interest in the presence of external users (`POST /v1/user/presence/register`),
    /// so that [`user_presence`](Self::user_presence) can return it. Interest lapses: register
    /// again every hour. Needs `ADMIN_PRESENCE_UPDATE`.
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// use symphony_presence::UserId;
    ///
    /// client.register_interest([UserId(7215545058313), UserId(7215545078461)]).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty list; [`Error::NotFound`] if a user cannot be
    /// located; otherwise as [`get_presence`](Self::get_presence).
    pub fn register_interest(
        &self,
        uids: impl IntoIterator<Item = UserId>,
    ) -> Request<'_, RegisterInterest> {
        Request::new(
            self,
            RegisterInterest {
                uids: uids.into_iter().collect(),
            },
        )
    }

    /// Sets another user's presence (`POST /v3/user/presence`), an administrative operation
    /// that needs the "User Provisioning" entitlement.
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// use symphony_presence::{PresenceCategory, UserId};
    ///
    /// client
    ///     .set_user_presence(UserId(14568529068038), PresenceCategory::OutOfOffice)
    ///     .soft(true)
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`set_presence`](Self::set_presence), plus [`Error::Forbidden`] without the
    /// entitlement and [`Error::NotFound`] for an unknown user.
    pub fn set_user_presence(
        &self,
        uid: UserId,
        category: PresenceCategory,
    ) -> Request<'_, SetUserPresence> {
        Request::new(
            self,
            SetUserPresence {
                uid,
                category,
                soft: false,
            },
        )
    }
}

/// [`PresenceClient::get_presence`].
#[derive(Debug)]
pub struct GetPresence(());

impl sealed::Sealed for GetPresence {}

impl Call for GetPresence {
    type Output = Presence;

    fn send(
        self,
        client: &PresenceClient,
        options: CallOptions,
    ) -> BoxFuture<'_, Result<Presence, Error>> {
        Box::pin(async move {
            client
                .call(
                    &GET_PRESENCE,
                    &options,
                    &[],
                    |api, token, trace_id| {
                        api.get_v2_user_presence()
                            .x_trace_id(trace_id)
                            .session_token(token)
                            .send()
                    },
                    any,
                )
                .await
                .map(Presence::from)
        })
    }
}

/// [`PresenceClient::set_presence`].
#[derive(Debug)]
pub struct SetPresence {
    category: PresenceCategory,
    soft: bool,
}

impl Request<'_, SetPresence> {
    /// Takes the user's current activity into account: an offline user stays `OFFLINE` until
    /// they come online, and an idle user shows `AWAY` (default: off).
    pub fn soft(mut self, soft: bool) -> Self {
        self.op.soft = soft;
        self
    }
}

impl sealed::Sealed for SetPresence {}

impl Call for SetPresence {
    type Output = Presence;

    fn send(
        self,
        client: &PresenceClient,
        options: CallOptions,
    ) -> BoxFuture<'_, Result<Presence, Error>> {
        Box::pin(async move {
            self.category
                .ensure_settable()
                .map_err(|e| e.during(SET_PRESENCE.op))?;
            let body = V2PresenceStatus {
                category: self.category.to_string(),
            };
            client
                .call(
                    &SET_PRESENCE,
                    &options,
                    &[],
                    |api, token, trace_id| {
                        api.post_v2_user_presence()
                            .x_trace_id(trace_id)
                            .session_token(token)
                            .soft(self.soft)
                            .body(body.clone())
                            .send()
                    },
                    any,
                )
                .await
                .map(Presence::from)
        })
    }
}

/// [`PresenceClient::user_presence`].
#[derive(Debug)]
pub struct UserPresence {
    uid: UserId,
    local: bool,
}

impl Request<'_, UserPresence> {
    /// Queries only users of the caller's pod: external users show `OFFLINE` (default: off).
    pub fn local(mut self, local: bool) -> Self {
        self.op.local = local;
        self
    }
}

impl sealed::Sealed for UserPresence {}

impl Call for UserPresence {
    type Output = Presence;

    fn send(
        self,
        client: &PresenceClient,
        options: CallOptions,
    ) -> BoxFuture<'_, Result<Presence, Error>> {
        Box::pin(async move {
            client
                .call(
                    &USER_PRESENCE,
                    &options,
                    &[&self.uid],
                    |api, token, trace_id| {
                        api.get_v3_user_uid_presence()
                            .x_trace_id(trace_id)
                            .uid(self.uid.0)
                            .local(self.local)
                            .session_token(token)
                            .send()
                    },
                    any,
                )
                .await
                .map(Presence::from)
        })
    }
}

/// [`PresenceClient::register_interest`].
#[derive(Debug)]
pub struct RegisterInterest {
    uids: Vec<UserId>,
}

impl sealed::Sealed for RegisterInterest {}

impl Call for RegisterInterest {
    type Output = ();

    fn send(
        self,
        client: &PresenceClient,
        options: CallOptions,
    ) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            if self.uids.is_empty() {
                return Err(Error::invalid(
                    REGISTER_INTEREST.op,
                    "register_interest needs at least one user id",
                ));
            }
            let body = UserIdList(self.uids.iter().map(|u| u.0).collect());
            client
                .call(
                    &REGISTER_INTEREST,
                    &options,
                    &[],
                    |api, token, trace_id| {
                        api.post_v1_user_presence_register()
                            .x_trace_id(trace_id)
                            .session_token(token)
                            .body(body.clone())
                            .send()
                    },
                    any,
                )
                .await
                .map(drop)
        })
    }
}

/// [`PresenceClient::set_user_presence`].
#[derive(Debug)]
pub struct SetUserPresence {
    uid: UserId,
    category: PresenceCategory,
    soft: bool,
}

impl Request<'_, SetUserPresence> {
    /// As [`Request::<SetPresence>::soft`](Request::soft), for the user whose presence is set.
    pub fn soft(mut self, soft: bool) -> Self {
        self.op.soft = soft;
        self
    }
}

impl sealed::Sealed for SetUserPresence {}

impl Call for SetUserPresence {
    type Output = Presence;

    fn send(
        self,
        client: &PresenceClient,
        options: CallOptions,
    ) -> BoxFuture<'_, Result<Presence, Error>> {
        Box::pin(async move {
            self.category
                .ensure_settable()
                .map_err(|e| e.during(SET_USER_PRESENCE.op))?;
            let body = V2UserPresence {
                category: self.category.to_string(),
                user_id: Some(self.uid.0),
            };
            client
                .call(
                    &SET_USER_PRESENCE,
                    &options,
                    &[],
                    |api, token, trace_id| {
                        api.post_v3_user_presence()
                            .x_trace_id(trace_id)
                            .session_token(token)
                            .soft(self.soft)
                            .body(body.clone())
                            .send()
                    },
                    any,
                )
                .await
                .map(Presence::from)
        })
    }
}
