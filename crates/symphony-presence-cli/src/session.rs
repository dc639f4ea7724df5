//! Turning the authentication options into a client.

use std::time::Duration;

use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, HttpSettings, PresenceClient, UserId,
};

use crate::args::Cli;
use crate::exit::Failure;

/// A client for `--pod-url` with exactly one form of authentication.
pub fn client(cli: &Cli) -> Result<PresenceClient, Failure> {
    let pod_url = cli
        .pod_url
        .clone()
        .ok_or_else(|| usage("--pod-url (or SYMPHONY_POD_URL) is required"))?;
    let mut http = HttpSettings::default();
    if let Some(secs) = cli.timeout {
        http = http.timeout(Duration::from_secs(secs));
    }

    let token = cli.session_token.is_some();
    let app = cli.app_id.is_some()
        || cli.app_key.is_some()
        || cli.obo_user_id.is_some()
        || cli.obo_username.is_some();
    let bot = cli.bot_username.is_some() || cli.bot_key.is_some();
    match (token, app, bot) {
        (true, false, false) => Ok(PresenceClient::builder(&pod_url)
            .session_token(cli.session_token.clone().unwrap_or_default())
            .http(http)
            .build()?),
        (false, true, false) => {
            let (Some(app_id), Some(key)) = (&cli.app_id, &cli.app_key) else {
                return Err(usage("OBO needs both --app-id and --app-key"));
            };
            let mut builder =
                AppClient::builder(&pod_url, AppCredentials::from_pem_file(app_id, key)?)
                    .http(http);
            if let Some(url) = &cli.login_url {
                builder = builder.login_url(url);
            }
            let app = builder.build()?;
            match (cli.obo_user_id, &cli.obo_username) {
                (Some(uid), None) => Ok(app.on_behalf_of(UserId(uid))),
                (None, Some(name)) => Ok(app.on_behalf_of_username(name)),
                _ => Err(usage(
                    "OBO needs exactly one of --obo-user-id and --obo-username",
                )),
            }
        }
        (false, false, true) => {
            let (Some(username), Some(key)) = (&cli.bot_username, &cli.bot_key) else {
                return Err(usage("a bot needs both --bot-username and --bot-key"));
            };
            let mut builder = PresenceClient::builder(&pod_url)
                .bot(BotCredentials::from_pem_file(username, key)?)
                .http(http);
            if let Some(url) = &cli.login_url {
                builder = builder.login_url(url);
            }
            Ok(builder.build()?)
        }
        _ => Err(usage(
            "give exactly one form of authentication: --session-token, OBO (--app-id, --app-key and \
             --obo-user-id or --obo-username), or a bot (--bot-username and --bot-key)",
        )),
    }
}

fn usage(message: &str) -> Failure {
    Failure::Usage(message.to_owned())
}
