{#
  For the GDPR test: a compile error when a gold model is not in `listed`, and the text
  columns of a relation. Both read the built project, so they do nothing while dbt parses.
#}
{% macro check_every_gold_model_is_listed(listed) %}
    {% if execute %}
        {% for node in graph.nodes.values()
            if node.resource_type == 'model' and node.config.schema == 'gold'
            and node.config.materialized != 'ephemeral' and node.name not in listed %}
            {{ exceptions.raise_compiler_error(
                "gold model " ~ node.name ~ " is not checked for personal data: add it to gold_models in " ~ this.name
            ) }}
        {% endfor %}
    {% endif %}
{% endmacro %}

{% macro text_columns(relation) %}
    {% if not execute %}
        {{ return([]) }}
    {% endif %}
    {% set text_types = ['VARCHAR', 'varchar', 'TEXT', 'text', 'string'] %}
    {% set text = adapter.get_columns_in_relation(relation) | selectattr('dtype', 'in', text_types) %}
    {{ return(text | map(attribute='name') | list) }}
{% endmacro %}
