//! The single-request Presence operations. Each is one call through the shared pipeline.

use symphony_api::pod::types::{UserIdList, V2PresenceStatus, V2UserPresence};

use crate::client::PresenceClient;
use crate::error::Error;
use crate::http::Operation;
use crate::{Presence, PresenceCategory, UserId};

const GET_PRESENCE: Operation = Operation::pod("get_v2_user_presence", true);
const SET_PRESENCE: Operation = Operation::pod("post_v2_user_presence", true);
const USER_PRESENCE: Operation = Operation::pod("get_v3_user_uid_presence", true);
const REGISTER_INTEREST: Operation = Operation::pod("post_v1_user_presence_register", true);
const SET_USER_PRESENCE: Operation = Operation::pod("post_v3_user_presence", true);

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
    pub async fn get_presence(&self) -> Result<Presence, Error> {
        self.call(GET_PRESENCE, |api, token, trace_id| {
            api.get_v2_user_presence()
                .x_trace_id(trace_id)
                .session_token(token)
                .send()
        })
        .await
        .map(Presence::from)
    }

    /// Sets the presence of the calling user (`POST /v2/user/presence`). With `soft`, the user's
    /// current activity is taken into account: an offline user stays `OFFLINE` until they come
    /// online, and an idle user shows `AWAY`. Needs the `ADMIN_PRESENCE_UPDATE` privilege for
    /// service users.
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// use symphony_presence::PresenceCategory;
    ///
    /// let now = client.set_presence(PresenceCategory::InAMeeting, false).await?;
    /// assert_eq!(now.category, PresenceCategory::InAMeeting);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] before sending for `UNDEFINED` or an unknown category (see
    /// [`PresenceCategory::ensure_settable`]); otherwise as [`get_presence`](Self::get_presence).
    pub async fn set_presence(
        &self,
        category: PresenceCategory,
        soft: bool,
    ) -> Result<Presence, Error> {
        category.ensure_settable()?;
        let body = V2PresenceStatus {
            category: category.to_string(),
        };
        self.call(SET_PRESENCE, |api, token, trace_id| {
            api.post_v2_user_presence()
                .x_trace_id(trace_id)
                .session_token(token)
                .soft(soft)
                .body(body.clone())
                .send()
        })
        .await
        .map(Presence::from)
    }

    /// The presence of another user (`GET /v3/user/{uid}/presence`). With `local`, only users
    /// of the caller's pod are queried and external users show `OFFLINE`; otherwise external
    /// users the caller is connected to are queried too, which needs
    /// [`register_interest`](Self::register_interest) first. Symphony limits external queries
    /// to one every 5 minutes.
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// use symphony_presence::UserId;
    ///
    /// let theirs = client.user_presence(UserId(14568529068038), false).await?;
    /// println!("{}", theirs.category);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if the user cannot be located, [`Error::Forbidden`] without the
    /// entitlement; otherwise as [`get_presence`](Self::get_presence).
    pub async fn user_presence(&self, uid: UserId, local: bool) -> Result<Presence, Error> {
        self.call(USER_PRESENCE, |api, token, trace_id| {
            api.get_v3_user_uid_presence()
                .x_trace_id(trace_id)
                .uid(uid.0)
                .local(local)
                .session_token(token)
                .send()
        })
        .await
        .map(Presence::from)
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
    pub async fn register_interest(
        &self,
        uids: impl IntoIterator<Item = UserId>,
    ) -> Result<(), Error> {
        let body = UserIdList(uids.into_iter().map(|u| u.0).collect());
        if body.0.is_empty() {
            return Err(Error::InvalidInput(
                "register_interest needs at least one user id".into(),
            ));
        }
        self.call(REGISTER_INTEREST, |api, token, trace_id| {
            api.post_v1_user_presence_register()
                .x_trace_id(trace_id)
                .session_token(token)
                .body(body.clone())
                .send()
        })
        .await
        .map(drop)
    }

    /// Sets another user's presence (`POST /v3/user/presence`), an administrative operation
    /// that needs the "User Provisioning" entitlement. `soft` is as for
    /// [`set_presence`](Self::set_presence).
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// use symphony_presence::{PresenceCategory, UserId};
    ///
    /// client.set_user_presence(UserId(14568529068038), PresenceCategory::OutOfOffice, true).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`set_presence`](Self::set_presence), plus [`Error::Forbidden`] without the
    /// entitlement and [`Error::NotFound`] for an unknown user.
    pub async fn set_user_presence(
        &self,
        uid: UserId,
        category: PresenceCategory,
        soft: bool,
    ) -> Result<Presence, Error> {
        category.ensure_settable()?;
        let body = V2UserPresence {
            category: category.to_string(),
            user_id: Some(uid.0),
        };
        self.call(SET_USER_PRESENCE, |api, token, trace_id| {
            api.post_v3_user_presence()
                .x_trace_id(trace_id)
                .session_token(token)
                .soft(soft)
                .body(body.clone())
                .send()
        })
        .await
        .map(Presence::from)
    }
}
