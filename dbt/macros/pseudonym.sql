{#
  A keyed pseudonym of a value: HMAC-SHA256 (RFC 2104) with the secret key (64 hex digits,
  from .dlt/secrets.toml or the environment; docs/gold_model.md, "GDPR"). Without the key
  the pseudonym of a known email cannot be recomputed, unlike a plain sha256.
  HMAC(K, m) = sha256((K xor opad) || sha256((K xor ipad) || m)), K padded to 64 bytes.
  DuckDB reads the key from the session variable `pseudonym_key` the `pseudonymisation`
  plugin sets; Spark from the environment variable DBT_ENV_SECRET_PSEUDONYM_KEY, which Spark
  substitutes when it parses the statement. Either way the key is never in compiled SQL.
#}
{% macro pseudonym(value) -%}
    {{ return(adapter.dispatch('pseudonym', 'retail_lakehouse')(value)) }}
{%- endmacro %}

{% macro duckdb__pseudonym(value) -%}
    sha256({{ _hmac_key_pad(92) }} || unhex(sha256({{ _hmac_key_pad(54) }} || encode({{ value }}))))
{%- endmacro %}

{# The 64-byte key XOR a pad byte (0x36 inner, 0x5c outer), as a BLOB. #}
{% macro _hmac_key_pad(pad_byte) -%}
    unhex(array_to_string(list_transform(range(64), i -> printf('%02x', xor(coalesce(try_cast(nullif(
        '0x' || substr(
            coalesce(
                getvariable('pseudonym_key'),
                error('no pseudonymisation key: run pipelines/transform_pipeline.py (it creates one) '
                    || 'or set DBT_ENV_SECRET_PSEUDONYM_KEY')
            ),
            2 * i + 1, 2
        ), '0x') as integer), 0), {{ pad_byte }}))), ''))
{%- endmacro %}

{% macro spark__pseudonym(value) -%}
    sha2(concat({{ _spark_hmac_key_pad(92) }}, unhex(sha2(concat({{ _spark_hmac_key_pad(54) }},
        cast({{ value }} as binary)), 256))), 256)
{%- endmacro %}

{% macro _spark_hmac_key_pad(pad_byte) -%}
    unhex(array_join(transform(sequence(0, 63), i -> lpad(hex(coalesce(cast(conv(substr(
        case
            when lower('${env:DBT_ENV_SECRET_PSEUDONYM_KEY}') rlike '^[0-9a-f]{64}$'
                then lower('${env:DBT_ENV_SECRET_PSEUDONYM_KEY}')
            else raise_error('no pseudonymisation key: set DBT_ENV_SECRET_PSEUDONYM_KEY (64 hex digits)')
        end,
        2 * i + 1, 2), 16, 10) as int), 0) ^ {{ pad_byte }}), 2, '0')), ''))
{%- endmacro %}
