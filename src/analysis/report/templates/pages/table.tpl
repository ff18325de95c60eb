{#- A page's table: pandas' own (Styler's html_table.tpl), in a box that scrolls sideways where the screen is narrower
    than the table (a phone), so that the page never does. Its caption, over the table, holds a hint that the table
    scrolls, shown only when it does, and a blank cover at the table's right end for browsers that cannot tell
    (briefing.css, .table-hint-row). The caption is `hidden` unless that stylesheet shows it: in JupyterLab, which
    does not load it, a table has no hint. -#}
{% extends "html_table.tpl" %}
{% block before_table %}<div class="table-wrap">{% endblock before_table %}
{% block caption %}<caption class="table-hint-row" hidden aria-hidden="true"><span class="table-hint">左右滑动可看其余各列 →</span><span class="table-cover"></span></caption>{% endblock caption %}
{% block after_table %}</div>{% endblock after_table %}
