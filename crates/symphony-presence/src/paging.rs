//! Listing every user's presence, page by page (`GET /v2/users/presence`).

use futures_util::stream;
use symphony_api::pod::types::V2PresenceList;

use crate::client::PresenceClient;
use crate::error::Error;
use crate::http::{Endpoint, pod_endpoint};
use crate::request::{Call, CallOptions, Request, sealed};
use crate::session::BoxFuture;
use crate::stream::PresenceStream;
use crate::{Presence, RetryPolicy, UserId};

const LIST_PRESENCE: Endpoint = pod_endpoint!(
    "list_presence_page",
    "GET",
    "/v2/users/presence",
    idempotent = true
);

/// The largest page Symphony serves.
pub const MAX_PAGE_SIZE: u32 = 5000;
/// The page size used unless another is set; also the server's own default.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;

impl PresenceClient {
    /// Lists the presence of every user of the pod, across all pages.
    ///
    /// Pages are sorted by user id and each one starts after the last id of the one before; the
    /// listing ends at the first empty page. Only one page is held in memory at a time. The
    /// stream is `Unpin`: no `pin!` is needed.
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// use futures_util::TryStreamExt;
    ///
    /// let mut all = client.list_all_presence().page_size(5000).stream();
    /// while let Some(presence) = all.try_next().await? {
    ///     println!("{:?} {}", presence.user_id, presence.category);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list_all_presence(&self) -> ListAllPresence {
        ListAllPresence {
            client: self.clone(),
            page_size: DEFAULT_PAGE_SIZE,
            after: None,
            options: CallOptions::default(),
        }
    }

    /// One page of at most [`limit`](Request::limit) presences (default
    /// [`DEFAULT_PAGE_SIZE`]) of the users whose id comes [`after`](Request::after) a given
    /// one, sorted by user id. An empty page means there are no more users.
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// let first = client.list_presence_page().limit(100).await?;
    /// let next = client
    ///     .list_presence_page()
    ///     .after(first.last().and_then(|p| p.user_id))
    ///     .limit(100)
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a limit outside 1 to 5000; [`Error::Decode`] for a page that
    /// is longer than the limit or not sorted by user id; otherwise as
    /// [`get_presence`](Self::get_presence), with [`Error::Forbidden`] without the privilege.
    pub fn list_presence_page(&self) -> Request<'_, ListPresencePage> {
        Request::new(
            self,
            ListPresencePage {
                after: None,
                limit: DEFAULT_PAGE_SIZE,
            },
        )
    }
}

/// [`PresenceClient::list_presence_page`].
#[derive(Debug)]
pub struct ListPresencePage {
    after: Option<UserId>,
    limit: u32,
}

impl Request<'_, ListPresencePage> {
    /// Starts after this user id (default: at the first user).
    pub fn after(mut self, after: impl Into<Option<UserId>>) -> Self {
        self.op.after = after.into();
        self
    }

    /// Presences per page, 1 to [`MAX_PAGE_SIZE`] (default [`DEFAULT_PAGE_SIZE`]).
    pub fn limit(mut self, limit: u32) -> Self {
        self.op.limit = limit;
        self
    }
}

impl sealed::Sealed for ListPresencePage {}

impl Call for ListPresencePage {
    type Output = Vec<Presence>;

    fn send(
        self,
        client: &PresenceClient,
        options: CallOptions,
    ) -> BoxFuture<'_, Result<Vec<Presence>, Error>> {
        Box::pin(async move {
            let ListPresencePage { after, limit } = self;
            if !(1..=MAX_PAGE_SIZE).contains(&limit) {
                return Err(Error::invalid(
                    LIST_PRESENCE.op,
                    format!("the page size must be 1 to {MAX_PAGE_SIZE}, not {limit}"),
                ));
            }
            let accept = |page: V2PresenceList| checked_page(page, after, limit);
            client
                .call(
                    &LIST_PRESENCE,
                    &options,
                    &[],
                    |api, token, trace_id| {
                        let request = api
                            .get_v2_users_presence()
                            .x_trace_id(trace_id)
                            .limit(i64::from(limit))
                            .session_token(token);
                        match after {
                            Some(after) => request.last_user_id(after.0).send(),
                            None => request.send(),
                        }
                    },
                    accept,
                )
                .await
        })
    }
}

/// The users of `page` that come after `after`, in order. A page longer than `limit`, or not
/// sorted by user id, is refused: a cursor cannot be trusted past it. An entry without a user
/// id cannot be placed, and one at or before `after` (a server repeating the boundary user)
/// was already seen; both are skipped with a warning, so no user is ever listed twice. A page
/// with entries but none of them new is refused too, since paging could not advance past it.
fn checked_page(
    page: V2PresenceList,
    after: Option<UserId>,
    limit: u32,
) -> Result<Vec<Presence>, &'static str> {
    if page.0.len() > limit as usize {
        return Err("the page holds more users than the limit asked for");
    }
    let received = page.0.len();
    let mut users: Vec<Presence> = Vec::with_capacity(received);
    for presence in page.0.into_iter().map(Presence::from) {
        let Some(uid) = presence.user_id else {
            tracing::warn!("skipping a listed presence without a user id");
            continue;
        };
        if after.is_some_and(|after| uid <= after) {
            tracing::warn!(%uid, "skipping a user listed again at the page boundary");
            continue;
        }
        if users
            .last()
            .and_then(|p| p.user_id)
            .is_some_and(|last| uid <= last)
        {
            return Err("the page is not sorted by user id");
        }
        users.push(presence);
    }
    if users.is_empty() && received > 0 {
        return Err("the page brought no user after the last one seen");
    }
    Ok(users)
}

/// The listing built by [`PresenceClient::list_all_presence`].
#[derive(Clone, Debug)]
#[must_use = "a listing does nothing until it is streamed"]
pub struct ListAllPresence {
    client: PresenceClient,
    page_size: u32,
    after: Option<UserId>,
    options: CallOptions,
}

impl ListAllPresence {
    /// Presences per page, 1 to [`MAX_PAGE_SIZE`] (default [`DEFAULT_PAGE_SIZE`]).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// Starts after this user id instead of at the first user.
    pub fn start_after(mut self, after: impl Into<Option<UserId>>) -> Self {
        self.after = after.into();
        self
    }

    /// The longest one attempt at a page may take (see [`Request::timeout`]).
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// The longest each page may take in all, authentication included (see
    /// [`Request::deadline`]).
    pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
        self.options.deadline = Some(deadline);
        self
    }

    /// The retry policy for each page (see [`Request::retry`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = Some(policy);
        self
    }

    /// The presences, one by one, fetching a page whenever the last one is used up.
    ///
    /// The stream ends after the first empty page, or after an error. A page that brings no
    /// user after the last one seen ends it with [`Error::Decode`] rather than loop.
    pub fn stream(self) -> PresenceStream {
        let state = Listing {
            pages: self.pages(),
            page: Vec::new().into_iter(),
            done: false,
        };
        PresenceStream::new(stream::unfold(state, |mut s| async move {
            loop {
                if let Some(presence) = s.page.next() {
                    return Some((Ok(presence), s));
                }
                if s.done {
                    return None;
                }
                match s.pages.next_page().await {
                    Ok(Some(page)) => s.page = page.into_iter(),
                    Ok(None) => return None,
                    Err(e) => {
                        s.done = true;
                        return Some((Err(e), s));
                    }
                }
            }
        }))
    }

    /// The listing page by page, for callers that want to know where pages end (the
    /// mirror's snapshot progress).
    pub(crate) fn pages(self) -> Pages {
        Pages { listing: self }
    }
}

/// The state of [`ListAllPresence::stream`]: the pages, and what is left of the current one.
struct Listing {
    pages: Pages,
    page: std::vec::IntoIter<Presence>,
    done: bool,
}

/// [`ListAllPresence`] page by page.
pub(crate) struct Pages {
    listing: ListAllPresence,
}

impl Pages {
    /// The next page, never empty; `None` at the end of the listing.
    pub(crate) async fn next_page(&mut self) -> Result<Option<Vec<Presence>>, Error> {
        let ListAllPresence {
            client,
            page_size,
            after,
            options,
        } = &self.listing;
        let page = Request {
            client,
            op: ListPresencePage {
                after: *after,
                limit: *page_size,
            },
            options: options.clone(),
        }
        .await?;
        // Every user in a checked page comes after the last one seen.
        let Some(last) = page.last().and_then(|p| p.user_id) else {
            return Ok(None);
        };
        self.listing.after = Some(last);
        Ok(Some(page))
    }
}
