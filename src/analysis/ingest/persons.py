"""Private persons' names in ledger cells: told from organisations, and masked with ［个人］.

Two kinds of cell may hold a private person's name where an organisation is expected: a whole value (an applicant,
申请单位: usually a shop or company, sometimes 张某某 or 陶建国) and free text (a note, 说明: "联系人：王丽
13800000000", "经办人张伟已现场核实"). A spec column says which with `persons: whole` or `persons: note`. This module
is pure: strings in, strings out, no I/O.

It is a heuristic, not a name recogniser: Chinese names and short shop names are written the same way. The rules
(the word lists at the top, kept as data so that they can move to a YAML file) err on the side of masking, because
a person's name that leaves data/raw is worse than a shop name lost from a table:

- A whole value is a person when, after white space (also full-width) and middle dots are removed, it is two to four
  Hanzi starting with a common surname (or a compound surname); or a 某 form (张某, 张某某, 李某甲, 王某1); or a
  surname with a form of address (张先生, 王女士, 李师傅, 刘经理); or it is marked as a person (个人：张三,
  张三（个体）, (个人) 张三); or a bracket inside it holds such a name (华联超市（张三）). Errs towards masking:
  a two-to-four-character shop or brand name that starts with a surname character and carries no organisation word
  (万达, 苏宁, 华为, 金太行, 胡庆余堂) is taken for a person and masked; so is a brand-only 小米 (老/小 + surname is a
  nickname). KNOWN_BUSINESSES lists brand names of that shape that cannot be anybody's name (周黑鸭, 王府井, 华莱士).
- An organisation word anywhere (公司, 店, 超市, 银行, 烧烤, …) means NOT a person: 老王烧烤店, 张记面馆,
  蜜雪冰城（民主路店）. Errs towards keeping: a person's name written together with an organisation word outside
  brackets (张三（华联超市）, 张三烧烤店) is kept, as a shop name. Words that are common in given names (行, 会, 城,
  园, 堂, 轩, 文化, 卫生, 保安 …) are not organisation words, so 李会, 王城, 张玉堂 stay persons (masked); and a
  surname with one character that spells an organisation word (商会, 车行) is a name: errs towards masking 银行 alone.
- A place is not a person: a value that ends in 区/市/县/街道/社区/村/路/街 (and the like), or names a sub-district
  or a county of Jiaozuo (王褚, 焦北, 马村, 孟州). Errs towards keeping: a person whose name is that of a place
  (a 王褚) is kept.
- A rare surname (outside the ~400 of SURNAMES) is not recognised unless the value is marked as a person: errs
  towards keeping. Nothing with Latin letters or more than four Hanzi is a person unless marked or dotted
  (买买提·艾力); a phone number or its mask after a name, and a number of one or two digits (张三1), are allowed.

In free text, names are masked only where something says a person is named: after a role word (联系人, 负责人, 经办人,
…: the 2–4 Hanzi that follow, starting with a surname), as a 某 form anywhere (张某某), and as a name with a form
of address (王女士, 张伟先生). Errs towards masking a character or two of the work text after a name ("经办人张伟
已现场核实" keeps 已; "经办人张伟明确表示" loses 确 with the name) rather than leaving part of a name. Role words
followed by a word that is not a name ("联系人员培训", "负责人高度重视", "当事人陈述") are left alone; a name
that happens to be one of those words (NOT_NAMES) is kept: errs towards keeping, for a handful of words.
"""
from __future__ import annotations

import re

from analysis.ingest.normalize import MASK, fold

PERSON = "［个人］"

# ---------------------------------------------------------------------------------------------------------------------
# The rules, as data.

# Single-character surnames, most common first (ranked by population; the ~400 that cover some 96% of people).
# Left out although they are surnames: characters that far more often start other words in these ledgers
# (区 公 干 但 由 位 门 来 都 普 信 智 展 斯 阿 母 哈 呼 衣), so that 区政府, 公园, 干部 are no names.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭"
    "陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢"
    "安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游"
    "辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟"
    "应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢"
    "劳谌奚皮粟冼蔺楼盘满闻厉伊仝郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初云容敬扈晁芮阙浦戈伏"
    "鹿薄邸雍辜羊乌裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇湛宾戎勾茅利於居揭尉冶元束檀阴昝幸奉植衡富尧闭萧"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "端木", "长孙",
                     "宇文", "司徒", "司空", "南宫", "独孤", "轩辕", "呼延", "淳于", "申屠", "澹台", "公冶", "百里", "东郭",
                     "钟离", "赫连", "闻人", "濮阳", "西门", "万俟", "单于", "拓跋", "太史", "仲孙", "左丘")

# An organisation word anywhere in a whole value means it is not a person. None of these is common in a given name:
# single characters that are (行 会 城 园 堂 轩 阁 楼 苑 府 庄 居 家 科) are left out, and only words that hold
# them are listed (银行, 商会, 商城, 家居); not 琴行, which two given-name characters spell (王琴行).
ORG_WORDS = (
    # legal forms and institutions
    "公司", "有限", "股份", "集团", "企业", "合作社", "联社", "实业", "商贸", "贸易", "工作室", "中心", "经营部",
    "门市", "营业厅", "营业部", "专卖", "旗舰", "连锁", "加盟", "政府", "机关", "单位", "党委", "委员会", "居委", "村委",
    "协会", "商会", "工会", "学会", "基金", "事务", "服务", "科技", "发展", "管理", "物业", "工程", "项目", "基地", "工地",
    "银行", "信用", "保险", "证券", "典当", "投资", "金融", "邮政", "电信", "移动", "联通", "电网", "供电", "电力",
    "水务", "自来水", "热力", "燃气", "环卫", "城管", "公安", "派出", "法院", "检察", "交警", "消防", "税务", "工商",
    "市监", "住建", "市政", "绿化", "公交", "客运", "铁路", "医院", "卫生院", "卫生室", "卫生所", "诊所", "门诊", "口腔",
    "牙科", "医疗", "医药", "药业", "药房", "药店", "康复", "养老", "敬老", "幼儿园", "学校", "小学", "中学", "大学",
    "学院", "幼教", "早教", "托管", "托育", "培训", "教育", "辅导", "补习", "驾校", "部队",
    # shops and trades
    "超市", "便利", "量贩", "百货", "商场", "商厦", "大厦", "商城", "影城", "广场", "市场", "商行", "车行",
    "酒店", "饭店", "饭庄", "酒家", "酒楼", "餐厅", "餐饮", "美食", "小吃", "快餐", "早餐", "烧烤", "火锅", "麻辣烫",
    "串串", "烩面", "拉面", "面条", "凉皮", "凉面", "米线", "米饭", "砂锅", "包子", "饺子", "水饺", "馄饨", "烧饼",
    "煎饼", "馒头", "油条", "豆浆", "胡辣汤", "肉夹馍", "酸辣粉", "卤肉", "卤味", "熟食", "烧鸡", "烤鸭", "烤肉", "烤鱼",
    "炸鸡", "鸡排", "黄焖鸡", "大盘鸡", "酸菜鱼", "汉堡", "披萨", "海鲜", "水产", "生鲜", "水果", "果蔬", "蔬菜", "粮油",
    "副食", "调料", "烟酒", "烟草", "茶叶", "茶楼", "奶茶", "饮品", "冷饮", "咖啡", "蛋糕", "烘焙", "面包", "糕点", "甜品",
    "啤酒", "酒业", "饮料", "乳业", "食品", "批发", "零售", "美容", "美发", "理发", "养生", "足疗", "按摩", "推拿", "洗浴",
    "浴池", "干洗", "洗衣", "洗车", "汽修", "汽配", "汽车", "摩托", "电动车", "自行车", "轮胎", "配件", "修理", "维修",
    "网吧", "网咖", "酒吧", "歌厅", "舞厅", "台球", "棋牌", "会所", "俱乐部", "健身", "体育", "影视", "影院", "传媒",
    "广告", "印刷", "图文", "文印", "复印", "打印", "摄影", "照相", "婚纱", "婚庆", "礼品", "鲜花", "花卉", "宠物",
    "眼镜", "珠宝", "服装", "服饰", "童装", "女装", "男装", "内衣", "鞋业", "母婴", "玩具", "文具", "化妆", "日化", "日用",
    "家居", "家具", "家电", "家纺", "电器", "灯具", "瓷砖", "卫浴", "窗帘", "布艺", "五金", "建材", "钢材", "水泥",
    "材料", "装饰", "装修", "建筑", "机械", "设备", "制造", "制品", "加工", "纺织", "化工", "铝业", "煤业", "矿业",
    "能源", "钢铁", "通讯", "通信", "数码", "电脑", "电子", "网络", "快递", "物流", "运输", "仓储", "冷库", "停车",
    "租赁", "中介", "劳务", "人力", "家政", "保洁", "房产", "地产", "置业", "开发", "咨询", "设计", "律师", "会计",
    "农场", "养殖", "种植", "农资", "农机", "种子", "化肥", "兽药", "兽医", "烟花", "供销", "物资", "粮食",
    # single characters that name a kind of place of business and are (almost) never in a given name
    "店", "厂", "馆", "部", "社", "院", "校", "所", "站", "局", "处", "厅", "坊", "铺", "场", "队", "室", "库", "吧", "栈",
    "摊", "棚",
)

# Words that say a value names a private person. Stripped before the other rules: "个人：张三", "张三（个体工商户）".
# A 个体工商户 marker next to a bare name says the name is the person who runs the business: personal data.
PERSON_MARKERS = ("个体工商户", "个体户", "个体", "个人", "自然人", "私人", "本人")

# Role words: in a note the name that follows is masked ("联系人：王丽"); in a whole value they mark a person
# ("业主：王丽"). A role word right after one of the characters given here is part of another word (物业主管,
# 客户主管, 违法人员).
ROLE_WORDS = ("法定代表人", "实际经营人", "法人代表", "联系人", "负责人", "责任人", "经办人", "承办人", "申请人", "当事人",
              "举报人", "投诉人", "反映人", "来电人", "填报人", "填表人", "审核人", "审批人", "受理人", "制表人", "统计人",
              "签收人", "委托人", "代理人", "承租人", "出租人", "经营者", "经营户", "企业主", "业主", "户主", "摊主",
              "店主", "车主", "房主", "房东", "法人")
ROLE_NOT_AFTER = {"业主": "物", "户主": "客用商住租农散储门窗落账", "法人": "非违执依合司立"}
# Words that introduce a name only before a colon ("审核：李四", not "审核通过").
ROLE_WORDS_BEFORE_COLON = ("姓名", "名字", "制表", "制单", "审核", "复核", "核对", "统计", "填报", "填表", "签字", "签名",
                           "记录", "经办", "承办", "联系", "负责", "审批", "受理")
# What may stand between a role word and the name: "户主姓名：张三", "联系人及电话：王丽 138…".
ROLE_QUALIFIERS = ("姓名", "名字", "及联系电话", "及联系方式", "及电话")

# Forms of address after a surname (and given name): 张先生, 王丽女士, 刘经理. Checked before organisation words,
# as some hold one (张厂长, 李店长).
HONORIFICS = ("老板娘", "总经理", "董事长", "先生", "女士", "小姐", "太太", "夫人", "师傅", "老板", "老师", "同志", "阿姨",
              "大姐", "大哥", "大爷", "大妈", "大叔", "大娘", "大婶", "经理", "主任", "书记", "厂长", "店长", "馆长", "社长",
              "会长", "行长", "局长", "处长", "科长", "所长", "院长", "站长", "部长", "校长", "队长", "村长", "组长", "律师",
              "医生", "大夫")
# The forms of address that mark a name anywhere in a note (王女士反映…); kinship words (大爷, 阿姨) and titles are
# left to role words, as they follow job words too (保安大爷).
NOTE_HONORIFICS = ("老板娘", "先生", "女士", "小姐", "师傅", "老板")

# Places: a value that is one of these (alone or with a sub-district suffix), or ends in a place suffix, is no person.
PLACE_NAMES = ("民生", "民主", "新华", "焦西", "焦南", "焦北", "七百间", "上白作", "王褚", "解放", "山阳", "中站", "马村",
               "修武", "博爱", "武陟", "温县", "沁阳", "孟州", "焦作", "河南", "怀府", "覃怀", "怀川")
SUBDISTRICT_SUFFIXES = ("街道办事处", "街道办", "办事处", "街道", "办")
# Residential estates too (东方花园, 金水名门), by the suffixes that are not given names (not 园, 苑, 城, 家园: 刘园园,
# 王城, 王家园 are names; 华府苑 is masked).
PLACE_SUFFIXES = ("省", "市", "区", "县", "镇", "乡", "村", "街道", "社区", "小区", "大道", "路", "街", "巷", "胡同", "号",
                  "办事处", "办", "侧", "段", "旁", "边", "内", "口", "附近", "对面", "一带", "沿线", "花园", "名门", "公寓",
                  "新村", "山庄", "雅苑", "名苑", "花苑", "华庭", "大院", "名都")
# Places written before a name or a business ("焦作市解放区张三"): set aside before the person rules.
PLACE_PREFIXES = ("河南省", "焦作市", "解放区", "山阳区", "中站区", "马村区", "示范区", "修武县", "博爱县", "武陟县",
                  "温县", "沁阳市", "孟州市") + tuple(f"{s}街道" for s in PLACE_NAMES[:9])

# Brand names of two to four Hanzi that start with a surname character, carry no organisation word and cannot be a
# person's name (a brand that can, such as 万达 or 苏宁, is masked: see the module's docstring).
KNOWN_BUSINESSES = ("周黑鸭", "王府井", "华莱士", "麦当劳", "海底捞", "屈臣氏", "全聚德", "华润万家", "海澜之家", "苏宁易购",
                    "钱大妈", "罗森", "沙县小吃")

# A 某 form: surname + 某 or 某某, then optionally one of these or a number (李某甲, 王某1).
MOU_SUFFIXES = "甲乙丙丁戊己庚辛"

# In notes: words that start with a surname character but are not a name when they follow a role word
# ("当事人陈述", "负责人高度重视", "业主单位"). A name that is one of them is kept (errs towards keeping), so words
# that are also plausible names (成立, 方向, 卫生, 强行, 宁可, 国家, 查明, 高峰, 文明, 黎明, 温馨, 于一, 曾向阳…) are not
# listed.
NOT_NAMES = (
    "单位", "单独", "方面", "方式", "方案", "方便", "方才", "申请", "申报", "申辩", "申诉", "申领", "陈述",
    "施工", "商户", "商铺", "商量", "商议", "商贩", "商品", "马上", "马路", "强制", "强烈", "强拆", "严格",
    "严重", "严禁", "严肃", "严厉", "明确", "明白", "明显", "明知", "明令", "安排", "安全", "安装", "安置", "宣传", "管理",
    "管控", "管辖", "高度", "高空", "高温", "高层", "平时", "平台", "平方", "连续", "连夜", "连日", "包括", "计划", "项目",
    "任务", "任何", "任意", "程序", "费用", "文件", "文书", "金额", "万元", "车辆", "车位", "路边", "路口", "路段", "路面",
    "白天", "党员", "封存", "封堵", "盖章", "印章", "习惯", "谈话", "解决", "解释", "解除", "全部", "全体", "全程",
    "全面", "全力", "成本", "成员", "关于", "关闭", "关停", "关注", "关门", "关系", "曾经", "曾多", "曾于",
    "曾在", "曾因", "曾被", "曾有", "曾两", "曾三", "曾先", "曾口", "曾拒", "曾私", "曾擅", "曾自", "曾表", "曾承",
    "尚未", "尚不", "尚在", "尚无", "尚有", "常年", "常驻", "常态", "常住", "常在", "常有", "应当", "应该", "应予", "时间",
    "和解", "余下", "余款", "原因", "原来", "原本", "原先", "原有", "原址", "初步", "初次", "相关", "相应", "相邻", "容易",
    "危险", "危害", "宿舍", "支持", "支付", "索要", "索取", "查处", "查看", "查扣", "查封", "司机", "农户", "农民",
    "简易", "简单", "柏油", "左侧", "南侧", "南面", "南边", "居住", "居民", "利用", "修缮", "修理", "乐意", "劳动",
    "满意", "权利", "国有", "迟迟", "官方", "闭店", "闭门", "易燃", "巩固", "甘愿", "花费", "那里", "那个",
    "于当", "于今", "于本", "于次", "于同", "于上", "于下", "于近", "于现", "于规", "于限", "于前", "于昨", "于早", "于中",
    "于凌", "于晚", "于该", "于此", "于年", "于月", "于日", "于二", "于两", "于三", "于四", "于五", "于六",
    "于七", "于八", "于九", "于十", "于〇", "于零",
)
# Surname characters that, right after a role word with nothing between, are the common function word they also are
# ("执法人员向当事人…", "业主和物业…"); after a colon they are read as a surname.
NOT_NAME_CHARS = "向和应全时"
# Values after "联系人：" that are not names although they are short and delimited (a name there need not start
# with a listed surname).
NOT_NAME_VALUES = ("暂无", "不详", "待定", "本人", "同上", "见上", "其他", "未知", "未填", "空缺", "无人", "没有", "未提供",
                   "拒绝提供", "拒提供", "拒绝", "店长", "员工", "各商户", "商户", "业主", "物业", "社区", "网格员", "城管",
                   "执法队", "中队", "大队", "科室", "主任", "队长", "科长", "负责人", "联系人", "经办人", "见附件", "详见附件",
                   "暂未确定", "待补充", "不在场", "未到场", "无法联系", "已离开")
# What ends a given name in running text: characters (practically) never found in one (not 可 为 从 向 其 均 再,
# which are: 李可欣, 王为民, 张向阳), and words that start the work text but do not start with a character common
# in given names (not 一起, 立即: 张一, 王立). So do the one-character organisation words, and 和 before a surname
# ("王丽和李强"; yet 王和平).
NAME_STOP_CHARS = "已的等称说在并及与于到将被把让也都就还又即了是未不无因对所要能需该请拒"
NAME_STOP_WORDS = ("电话", "手机", "联系", "负责", "现场", "签字", "签名", "签收", "表示", "反映", "确认", "核实", "同意",
                   "本人", "等人", "承诺", "配合", "整改", "办理", "申请", "提供", "陪同", "告知",
                   "当场", "当即", "当天", "当日", "自行", "主动", "及时", "多次", "私自", "擅自", "口头", "身份", "住址",
                   "家属", "家中", "住在", "经营", "占道", "违规", "要求", "提出", "提交", "认为", "同时", "上午", "下午",
                   "晚上", "今日", "今天", "昨日", "昨天", "年龄", "性别", "微信", "男性", "女性")
# Words that end in a surname character: the character is part of the word, not a name ("位于某小区", "保安师傅").
WORDS_ENDING_IN_SURNAME = (
    "位于", "对于", "关于", "由于", "至于", "属于", "处于", "等于", "检查", "调查", "排查", "巡查", "督查", "核查", "清查",
    "普查", "抽查", "复查", "审查", "盘查", "严查", "彻查", "方向", "面向", "转向", "走向", "流向", "偏向", "指向", "朝向",
    "去向", "有关", "相关", "机关", "无关", "把关", "海关", "同时", "及时", "此时", "当时", "临时", "平时", "届时", "随时",
    "按时", "准时", "定时", "有时", "那时", "这时", "完成", "形成", "造成", "组成", "促成", "达成", "建成", "安全", "完全",
    "健全", "齐全", "保全", "响应", "相应", "供应", "适应", "反应", "对应", "理应", "答应", "保安", "治安", "公安", "平安",
    "维修", "装修", "检修", "翻修", "调和", "缓和", "总和", "以及",
)
# After a 某 form whose surname is also a function word (向某单位, 于某小区, 查某商户): a thing, not a person.
FUNCTION_SURNAMES = "于向查关时成全应和"
NOT_AFTER_MOU = ("单位", "商户", "小区", "公司", "企业", "门店", "店铺", "工地", "项目", "部门", "场所", "路段", "区域",
                 "地方", "方面", "些", "种", "个", "项", "次", "日", "时", "年", "月", "天", "处", "地", "段", "号", "家",
                 "条", "辆", "件", "类", "点", "村", "街", "路", "区", "镇", "店", "厂", "楼", "栋", "层", "室", "间")

# ---------------------------------------------------------------------------------------------------------------------
# Compiled forms of the rules.

_SURNAME_SET = frozenset(SURNAMES)
_COMPOUND_FIRSTS = frozenset(s[0] for s in COMPOUND_SURNAMES)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f"
_IS_HAN = re.compile(f"[{_HAN}]").fullmatch
_SPACES = re.compile(r"\s+")
_DOTS = "·・•‧∙⋅･"
_DOT_RE = re.compile(f"[{_DOTS}]")


def _alternatives(words) -> str:
    """A regex alternation of the words, longest first (so that 法人代表 wins over 法人)."""
    return "|".join(map(re.escape, sorted(set(words), key=len, reverse=True)))


_SURNAME = f"(?:{_alternatives(COMPOUND_SURNAMES)}|[{SURNAMES}])"
_ORG_RE = re.compile(_alternatives(ORG_WORDS))
_HONORIFIC = _alternatives(HONORIFICS)
_PLACE_SET = frozenset([*PLACE_NAMES, *(p + s for p in PLACE_NAMES for s in SUBDISTRICT_SUFFIXES)])
_PLACE_SUFFIXES = tuple(sorted(PLACE_SUFFIXES, key=len, reverse=True))
_PLACE_PREFIX_RE = re.compile(f"^(?:{_alternatives(PLACE_PREFIXES)})")
_KNOWN = frozenset(KNOWN_BUSINESSES)
_MARKER = _alternatives(PERSON_MARKERS + ROLE_WORDS + ROLE_QUALIFIERS)
# Whole-value forms, matched on the value folded and without white space.
_MOU_FORM = re.compile(f"{_SURNAME}某某?(?:[{MOU_SUFFIXES}]|[0-9]{{1,2}}|[A-Za-z])?")
_HONORIFIC_FORM = re.compile(f"(?P<name>{_SURNAME}[{_HAN}]{{0,2}}?)(?:{_HONORIFIC})")
_NICKNAME = re.compile(f"[老小阿]{_SURNAME}")
_NAME_FORM = re.compile(f"(?:{_alternatives(COMPOUND_SURNAMES)})[{_HAN}]{{1,2}}|[{SURNAMES}][{_HAN}]{{1,3}}")
_HANZI_1_4 = re.compile(f"[{_HAN}]{{1,4}}")
_DOTTED = re.compile(f"[{_HAN}]{{1,6}}(?:[{_DOTS}][{_HAN}]{{1,6}}){{1,3}}")
_PREFIX_MARKER = re.compile(f"^(?:{_MARKER})+[:-]?")
_SUFFIX_MARKER = re.compile(f"(?:{'|'.join(map(re.escape, PERSON_MARKERS))})$")
# A phone number or the mask of one after a name ("张三 13800000000", "张三［已隐去］"): set aside.
_CONTACT = re.compile(r"(?:[:：]?(?:联系电话|联系方式|电话|手机|tel|Tel|TEL)[:：]?)?(?:\+?\d[\d-]{6,}|" + re.escape(fold(MASK))
                      + r")$")
_OPEN, _CLOSE = "([【〔〖《", ")]】〕〗》"
_LIST_SEPARATORS = "、,;/|"


def _flat(text: str) -> str:
    """As the whole-value rules read a cell: folded to half-width, without any white space."""
    return _SPACES.sub("", fold(text))


def _split_top(text: str) -> list[str]:
    """The parts of a list of values ("张三、李四"), split only outside brackets."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth = max(0, depth - 1)
        elif c in _LIST_SEPARATORS and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p]


def _unbracket(text: str) -> tuple[str, list[str]]:
    """The text outside brackets, and the contents of each bracketed group (nested groups are read as one)."""
    core, groups, depth, current = [], [], 0, []
    for c in text:
        if c in _OPEN:
            if depth:
                current.append(c)
            depth += 1
        elif c in _CLOSE and depth:
            depth -= 1
            if depth:
                current.append(c)
            else:
                groups.append("".join(current))
                current = []
        elif depth:
            current.append(c)
        else:
            core.append(c)
    if current:  # an unclosed bracket: its text is read as part of the value
        core.extend(current)
    return "".join(core), groups


def _is_place(text: str) -> bool:
    """A place: one of PLACE_NAMES (焦北, 王褚办), or a name before a place suffix (not the suffix alone: 花园 is a
    surname and a given name too)."""
    return text in _PLACE_SET or any(text.endswith(s) and len(text) > len(s) for s in _PLACE_SUFFIXES)


def _has_org_word(text: str) -> bool:
    return _ORG_RE.search(text) is not None


def _org_word_in(text: str, name_length: int) -> bool:
    """Whether an organisation word starts within the first name_length characters of the text; not one that is just
    a surname and one given-name character of a name of two or three (商会, 车行, 银行: names too)."""
    for m in _ORG_RE.finditer(text):
        if m.start() >= name_length:
            break
        if not (m.span() == (0, 2) and name_length <= 3 and text[0] in _SURNAME_SET):
            return True
    return False


def _bare_person(text: str, marked: bool) -> bool:
    """Whether a value without brackets or list separators names a person (`marked`: a marker said it does)."""
    if not text:
        return marked  # "个人", "（个体）": a person, unnamed
    if text in _KNOWN:
        return False
    m = _HONORIFIC_FORM.fullmatch(text)
    if m and not _org_word_in(m["name"], len(m["name"])):
        return True  # before organisation words: 张厂长, 王店长; 商会先生 (a surname and a given name that is a word)
    if _org_word_in(text, len(text)) or _is_place(text):
        return False
    stripped = _PLACE_PREFIX_RE.sub("", text)
    while stripped != text:  # "焦作市解放区张三": the place set aside
        text = stripped
        if not text or _is_place(text):
            return False
        stripped = _PLACE_PREFIX_RE.sub("", text)
    if text.startswith(PLACE_NAMES):
        return False  # 焦作华联, 河南万方: a business named after its town (errs towards keeping a 王褚明)
    if _MOU_FORM.fullmatch(text) or _DOTTED.fullmatch(text):
        return True
    text = _DOT_RE.sub("", text)
    if _NICKNAME.fullmatch(text):
        return True  # 老王, 小李: only a surname, but a person
    text = re.sub(r"[0-9A-Za-z]{1,2}$", "", text) if len(text) > 2 else text  # 张三1: a numbered duplicate
    if marked:
        return _HANZI_1_4.fullmatch(text) is not None  # 个人：蜜雪: marked, a rare surname will do
    return _NAME_FORM.fullmatch(text) is not None


def _unmarked(text: str) -> tuple[str, bool]:
    """The text without person markers before or after it ("个人：张三", "张三个体户"), and whether it had one."""
    stripped = _PREFIX_MARKER.sub("", text)
    stripped = _SUFFIX_MARKER.sub("", stripped)
    return stripped, stripped != text


def _part_is_person(part: str) -> bool:
    part = _CONTACT.sub("", part) or part
    core, groups = _unbracket(part)
    marked, organisation = False, False
    for group in groups:
        content, group_marked = _unmarked(_CONTACT.sub("", group))
        if group_marked and not content:
            marked = True  # 张三（个体）
        elif _bare_person(content, group_marked):
            return True  # 华联超市（张三）: a name in brackets is personal data whatever stands around it
        else:
            organisation = organisation or _has_org_word(content)
    if organisation:
        return False  # 蜜雪冰城（民主路店）: an organisation word anywhere
    core, core_marked = _unmarked(core)
    return _bare_person(core, marked or core_marked)


def is_person(text: str) -> bool:
    """Whether a whole cell value names a private person rather than an organisation (see the module's docstring for
    the rules and which way each errs)."""
    if not isinstance(text, str):
        return False
    flat = _flat(text)
    return any(_part_is_person(part) for part in _split_top(flat))


def mask_person(text: str) -> tuple[str, bool]:
    """A whole value: (［个人］, True) when it names a person, else (the text unchanged, False). Idempotent."""
    if is_person(text):
        return PERSON, True
    return text, False


# ---------------------------------------------------------------------------------------------------------------------
# Names in free text.

def _role_pattern() -> re.Pattern:
    roles = []
    for word in sorted(ROLE_WORDS, key=len, reverse=True):
        not_after = ROLE_NOT_AFTER.get(word)
        roles.append((f"(?<![{not_after}])" if not_after else "") + re.escape(word))
    before_colon = _alternatives(ROLE_WORDS_BEFORE_COLON)
    return re.compile(f"(?P<role>{'|'.join(roles)})|(?P<colon_role>{before_colon})(?=\\s*[:：])")


_ROLE_RE = _role_pattern()
_QUALIFIER_RE = re.compile(f"(?:{_alternatives(ROLE_QUALIFIERS)})?")
_SEPARATOR_RE = re.compile(r"\s*(?P<colon>[:：])?\s*(?P<copula>为|是)?\s*")
_CONTINUATIONS = (re.compile(r"\s*[、/和及与]\s*"), re.compile(r"\s+"))
# In notes white space may stand inside a compound surname (皇 甫某某).
_SPACED_SURNAME = "(?:" + "|".join(f"{c[0]}\\s*{c[1]}" for c in sorted(COMPOUND_SURNAMES)) + f"|[{SURNAMES}])"
_MOU_RE = re.compile(f"(?P<s>{_SPACED_SURNAME})\\s*某(?:\\s*某)?"
                     f"(?:\\s*(?:[{MOU_SUFFIXES}](?!\\s*某)|[0-9０-９]{{1,2}}(?![0-9０-９])|[A-Za-z](?![A-Za-z])))?")
# 先生 not in 原先生产 (原 is a surname).
_NOTE_HONORIFIC_RE = re.compile(_alternatives(NOTE_HONORIFICS).replace("先生", "先生(?![产活])"))
_NOT_NAMES = tuple(sorted(NOT_NAMES, key=len, reverse=True))
_STOP_WORDS = tuple(NAME_STOP_WORDS)
_STOP_CHARS = frozenset(NAME_STOP_CHARS) | {w for w in ORG_WORDS if len(w) == 1}
_HONORIFICS = tuple(sorted(HONORIFICS, key=len, reverse=True))
_WORDS_ENDING_IN_SURNAME = frozenset(WORDS_ENDING_IN_SURNAME)
_NOT_AFTER_MOU = tuple(sorted(NOT_AFTER_MOU, key=len, reverse=True))


def _is_han(c: str) -> bool:
    return _IS_HAN(c) is not None


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _run_length(text: str, i: int) -> int:
    """How many Hanzi stand in a row from i."""
    j = i
    while j < len(text) and _is_han(text[j]):
        j += 1
    return j - i


def _surname_length(text: str, i: int) -> int:
    """How many characters of the text from i a surname takes: 2 (compound), 1 or 0 (none)."""
    if text[i:i + 2] in COMPOUND_SURNAMES:
        return 2
    return 1 if i < len(text) and text[i] in _SURNAME_SET else 0


def _surname_end(text: str, i: int) -> tuple[int, bool]:
    """Where a surname that starts at i ends (i if none does), and whether it is compound; white space may stand
    inside a compound surname ("上 官婉儿")."""
    if i < len(text) and text[i] in _SURNAME_SET | _COMPOUND_FIRSTS:
        k = _skip_spaces(text, i + 1)
        if text[i] + text[k:k + 1] in COMPOUND_SURNAMES:
            return k + 1, True
    return (i + 1, False) if i < len(text) and text[i] in _SURNAME_SET else (i, False)


def _ends_name(text: str, j: int) -> bool:
    """Whether the character at j cannot continue a given name (it starts a stop word or a form of address)."""
    return (text[j] in _STOP_CHARS or text.startswith(_STOP_WORDS, j) or text.startswith(_HONORIFICS, j))


def _name_end(text: str, p: int, separated: bool, person_role: bool) -> int | None:
    """Where a name that starts at p (right after a role word) ends, or None if no name starts there.

    `separated`: a colon, a copula (为, 是) or a space stands between the role word and p; `person_role`: the role
    word names a person (联系人), rather than a job done (审核)."""
    n = len(text)
    if p >= n or not _is_han(text[p]):
        return None
    ahead = _SPACES.sub("", text[p:p + 12])
    addressed = ahead[1:].startswith(_HONORIFICS) or ahead[2:].startswith(_HONORIFICS)  # 曾经理, 于同志
    if not addressed and (ahead.startswith(_NOT_NAMES) or (not separated and ahead[0] in NOT_NAME_CHARS)):
        return None
    if any(ahead.startswith(place) for place in PLACE_NAMES):
        return None
    end, compound = _surname_end(text, p)
    if end == p:
        # A short delimited value after "联系人：" is a name even with a surname not on the list (errs towards masking).
        run = _run_length(text, p)
        value = text[p:p + run]
        if (separated and person_role and 2 <= run <= 3 and value not in NOT_NAME_VALUES and not _has_org_word(value)
                and not _is_place(value) and not _ROLE_RE.search(value) and value not in PERSON_MARKERS):
            return p + run
        return None
    i = end
    given = 0
    while given < 2:
        j = _skip_spaces(text, i)
        if j >= n or not _is_han(text[j]) or _ends_name(text, j):
            break
        if j > i and given and (_surname_end(text, j)[1]
                                or j + 1 < n and _is_han(text[j + 1]) and not _ends_name(text, j + 1)):
            break  # "王丽 李强": a space after a whole name ends it; "王丽 娟已…": one character more is the name's
        if text[j] == "和" and given and j + 1 < n and _surname_length(text, j + 1):
            break  # "王丽和李强"
        i = end = j + 1
        given += 1
    j = _skip_spaces(text, end)
    honorific = next((h for h in _HONORIFICS if text.startswith(h, j)), None)
    if not given and not honorific:
        return None
    name = _SPACES.sub("", text[p:end])
    # The character right after the name counts for organisation words only where the name was not cut before it:
    # "负责人：华联超市" (超市), not "联系人王家电话" (家电).
    after = text[end] if end < n and _is_han(text[end]) and not honorific and not _ends_name(text, end) else ""
    if _org_word_in(name + after, len(name)) or (len(name) > 1 and _is_place(name)):  # not 路先生
        return None  # "负责人：华联超市", "负责人：解放路"; yet "负责人张伟厂区…" is a name
    if honorific:
        return j + len(honorific)
    if given == 2 and not compound and after and _run_length(text, end) == 1:
        return end + 1  # a four-character name standing alone: 张王秀英
    return end


def _role_spans(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The names after role words, and the role words themselves."""
    spans, roles = [], []
    for m in _ROLE_RE.finditer(text):
        q = _QUALIFIER_RE.match(text, m.end()).end()
        sep = _SEPARATOR_RE.match(text, q)
        p = sep.end()
        separated = p > q
        end = _name_end(text, p, separated, m["role"] is not None)
        found = []
        while end is not None:
            found.append((p, end))
            p, end = _next_in_list(text, end)
        # A role word inside a name already read whose own "name" would overlap it is part of that name
        # (联系人：房东帅和王一: 房 is a surname, and 帅和王一 is no name).
        if found and any(start <= m.start() < stop and found[0][0] < stop for start, stop in spans):
            continue
        roles.append(m.span())
        spans += found
    return spans, roles


def _next_in_list(text: str, end: int) -> tuple[int, int | None]:
    """The next name of a list after a name that ends at `end`: "经办人：张伟、李强", "联系人王丽 李强 电话…"."""
    for continuation in _CONTINUATIONS:  # a joiner first: in "王丽 和一" the 和 may be a surname, so a space next
        cont = continuation.match(text, end)
        if cont is None:
            continue
        p = cont.end()
        name_end = _name_end(text, p, True, False)
        if name_end is not None and cont.group().isspace() and (
                name_end - p > 4 or name_end < len(text) and _is_han(text[name_end])):
            continue  # after a bare space only a delimited name is read as the next of a list
        if name_end is not None:
            return p, name_end
    return end, None


def _after_word(text: str, i: int) -> bool:
    """Whether the character at i ends a word begun by the character before it (位于, 保安)."""
    return i > 0 and text[i - 1:i + 1] in _WORDS_ENDING_IN_SURNAME


def _mou_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _MOU_RE.finditer(text):
        s = m["s"]
        if len(s) == 1 and _after_word(text, m.start()):
            continue
        after = _skip_spaces(text, m.end())
        if (s in FUNCTION_SURNAMES and text.startswith(_NOT_AFTER_MOU + ORG_WORDS, after)
                and not _MOU_RE.match(text, after)):
            continue  # 向某单位, 于某小区; not 关某楼某
        spans.append(m.span())
    return spans


def _honorific_spans(text: str, roles: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Names with a form of address anywhere: the longest name that ends right before it (商户王老板 → 王老板), and
    that does not reach into a role word (责任人王老板: 任 is a surname)."""
    spans = []
    for m in _NOTE_HONORIFIC_RE.finditer(text):
        h = m.start()
        if _ORG_RE.match(text, m.end()):
            continue  # 孙师傅汽修, 王老板烧烤: a shop's name
        for length in (4, 3, 2, 1):
            start = h - length
            if start < 0:
                continue
            candidate = text[start:h]
            surname = _surname_length(text, start)
            if (not surname or surname > length or length - surname > 2 or not all(map(_is_han, candidate))
                    or any(start < role_end and h > role_start for role_start, role_end in roles)
                    or candidate.startswith(_NOT_NAMES) or (surname == 1 and _after_word(text, start))
                    or (length > 1 and candidate[0] in NOT_NAME_CHARS and start and _is_han(text[start - 1]))
                    or any(_ends_name(text, k) for k in range(start + surname, h))):
                continue
            spans.append((start, m.end()))
            break
    return spans


def mask_people_in_note(text: str) -> tuple[str, int]:
    """Free text with the names of persons replaced by ［个人］, and how many were replaced: names after a role word
    (the role word kept: "联系人：王丽 电话…" → "联系人：［个人］ 电话…"), 某 forms anywhere (张某某) and names with
    a form of address (王女士). Text without any of these is returned unchanged; the result is masked again unchanged."""
    if not isinstance(text, str) or not text:
        return text, 0
    total = 0
    while True:  # until nothing more is found, so that masking again changes nothing (one pass nearly always)
        text, n = _mask_once(text)
        if not n:
            return text, total
        total += n


def _mask_once(text: str) -> tuple[str, int]:
    names, roles = _role_spans(text)
    spans = sorted(names + _mou_spans(text) + _honorific_spans(text, roles))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + PERSON + text[end:]
    return text, len(merged)
