{#- A page's table: pandas' own (Styler's html_table.tpl), in a box that scrolls sideways where the screen is narrower
    than the table (a phone), so that the page never does. -#}
{% extends "html_table.tpl" %}
{% block before_table %}<div class="table-wrap">{% endblock before_table %}
{% block after_table %}</div>{% endblock after_table %}
