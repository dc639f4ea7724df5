//! What codegen adds to every operation of a normalised document, beyond what Symphony's
//! documents declare.
//!
//! - An optional `X-Trace-Id` header parameter. The official SDKs send one with every request,
//!   so that Symphony support can find the request in the pod's logs; as a parameter it reaches
//!   the request through the generated builder (`.x_trace_id(..)`), like any other value.

use openapiv3::{OpenAPI, Parameter, ReferenceOr};

/// The header name, as the official SDKs send it.
pub const TRACE_ID_HEADER: &str = "X-Trace-Id";

pub fn augment(spec: &mut OpenAPI) {
    let trace_id: Parameter = serde_json::from_value(serde_json::json!({
        "name": TRACE_ID_HEADER,
        "in": "header",
        "required": false,
        "description": "An id for this request that Symphony support can find in the pod's logs.",
        "schema": { "type": "string" },
    }))
    .expect("a valid header parameter");
    for item in spec.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            operation
                .parameters
                .push(ReferenceOr::Item(trace_id.clone()));
        }
    }
}
