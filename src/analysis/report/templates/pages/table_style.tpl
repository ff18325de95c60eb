{#- No <style> per table: a page's tables take their look from the page's stylesheet (templates/briefing/briefing.css). -#}
