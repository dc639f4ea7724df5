//! An app from the configuration file of Symphony's Java and Python SDKs (`config.yaml`), so
//! that a team moving from them keeps its file.
//!
//! ```sh
//! cargo run -p symphony-presence --example from_config
//! SYMPHONY_CONFIG=config.yaml SYMPHONY_USER_IDS=12345 \
//!     cargo run -p symphony-presence --example from_config
//! ```
//!
//! Without `SYMPHONY_CONFIG` it writes a configuration for the mock pod to a temporary
//! directory, with the app's key in `${APP_KEY_PATH}`, substituted from the environment as the
//! Java SDK does.

#[path = "common/mod.rs"]
mod common;

use symphony_presence::{AppClient, Config};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(common::process_env).await
}

/// The example, reading its settings from `env`.
pub async fn run(env: common::Env) -> Result<(), Box<dyn std::error::Error>> {
    let (config, users, _mock, _dir) = match env("SYMPHONY_CONFIG") {
        Some(path) => (
            Config::from_file(path)?,
            common::users_from(env)?,
            None,
            None,
        ),
        None => {
            let target = common::target(env, 10).await?;
            let mock = target.mock.as_ref().ok_or("a mock pod")?;
            let dir = tempfile::tempdir()?;
            let key = dir.path().join("app-key.pem");
            std::fs::write(&key, mock.app_private_key_pem(common::APP_ID).ok_or("key")?)?;
            let yaml = format!(
                "scheme: http\nhost: 127.0.0.1\nport: {port}\n\
                 app:\n  appId: {app}\n  privateKey:\n    path: ${{APP_KEY_PATH}}\n",
                port = mock.port(),
                app = common::APP_ID,
            );
            let vars = |name: &str| (name == "APP_KEY_PATH").then(|| key.display().to_string());
            let config = Config::from_yaml_str_with_vars(&yaml, vars)?;
            let users = target.users(1)?;
            (config, users, target.mock, Some(dir))
        }
    };
    let app = AppClient::from_config(&config)?;
    let presence = app.on_behalf_of(users[0]).get_presence().await?;
    println!("{}: {}", users[0], presence.category);
    Ok(())
}
